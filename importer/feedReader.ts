// Streaming readers of listing feed files (../shared/contract/listing-feed.md):
// CSV (RFC 4180) and JSON Lines. Records come out one at a time with the line
// they start on, so a 1,000,000-row file costs a chunk of memory, not the file.
//
// Values are returned as parsed (CSV values are untrimmed strings); deciding
// whether a row is a good listing is validateFeedRow's job, shared with the
// GraphQL mutation.
//
// Memory note for consumers: values are V8 substrings of the 64 KiB text
// chunk they were cut from, so keeping one value of every row for the whole
// import (a Set of SKUs, say) keeps every chunk alive. Keep a hash or a copy
// instead when a value must outlive its batch.

import { isAscii, isUtf8 } from 'node:buffer';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import iconv from 'iconv-lite';
import { FEED_FIELDS, REQUIRED_FEED_FIELDS } from '../common/listingFeed';

export type FeedFormat = 'csv' | 'jsonl';
/**
 * The text encoding a feed was read in: UTF-8, or GB18030 (which contains
 * GBK and GB2312), what Excel on Chinese Windows saves a CSV in.
 */
export type FeedEncoding = 'UTF-8' | 'GB18030';
export type FeedValue = string | number | boolean | null;
export type FeedRecord = { line: number; raw: Record<string, FeedValue> } | { line: number; error: string };

/** The file as a whole cannot be imported; raised before any record is produced. */
export class FeedUnreadableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeedUnreadableError';
  }
}

/**
 * No legitimate record comes near this (the longest field, description, is
 * limited to 5,000 characters); it bounds the memory an unbalanced quote can
 * make the CSV parser hold while it looks for the closing quote.
 */
export const MAX_RECORD_CHARS = 1 << 20;
const TOO_LONG = `The line is longer than ${MAX_RECORD_CHARS} characters and was skipped.`;
const TOO_LONG_QUOTED = `The record runs over more than ${MAX_RECORD_CHARS} characters (an unbalanced double quote?); it was skipped up to the end of its first line.`;
const CHUNK_BYTES = 64 * 1024;
/** How much of the start of a file must be clean text for it to be read at all. */
const SNIFF_BYTES = 64 * 1024;
/** How many bytes from the first one beyond ASCII decide between UTF-8 and GB18030. */
const DECIDE_BYTES = 1024;

const FEED_FIELD_SET: ReadonlySet<string> = new Set(FEED_FIELDS);
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const HEADER_GARBAGE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;
const NOT_UTF8 = 'The record contains bytes that are not valid UTF-8 (was it saved as GBK/GB18030?); the feed must be UTF-8 text.';

export function detectFormat(path: string): FeedFormat | null {
  switch (extname(path).toLowerCase()) {
    case '.csv':
      return 'csv';
    case '.jsonl':
    case '.ndjson':
      return 'jsonl';
    default:
      return null;
  }
}

interface RecordParser {
  /** True once records may follow: the CSV header is known, or a JSONL file showed a non-blank line. */
  readonly primed: boolean;
  /** Parses more text; `final` says no text follows. Returns the records this text completed. */
  push(text: string, final: boolean): FeedRecord[];
}

/** Position of the next occurrence at or after `from`, or `end` when there is none (a sentinel that never needs a re-search). */
function nextIndex(s: string, needle: string, from: number): number {
  const at = s.indexOf(needle, from);
  return at === -1 ? s.length : at;
}

function isBlank(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}

function appendAll(target: string[], items: string[]): void {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
}

function countNewlines(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', start); i !== -1 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

type SlowError = { kind: 'error'; message: string; next: number; newlines: number };
type SlowResult = { kind: 'record'; fields: string[]; next: number; newlines: number } | SlowError | { kind: 'incomplete' };

const INCOMPLETE: SlowResult = { kind: 'incomplete' };

class CsvParser implements RecordParser {
  /** Column name per position; null for unnamed columns, which are dropped. */
  private columns: (string | null)[] | null = null;
  /** Line on which the next record starts. */
  private line = 1;
  /** Unparsed text: the start of a record that the next chunk completes. */
  private rest = '';
  /** Discarding the remainder of an overlong line up to its newline. */
  private skipping = false;
  private out: FeedRecord[] = [];

  get primed(): boolean {
    return this.columns !== null;
  }

  push(chunk: string, final: boolean): FeedRecord[] {
    this.out = [];
    const s = this.rest + chunk;
    this.rest = '';
    const length = s.length;
    let pos = 0;
    if (this.skipping) {
      const nl = s.indexOf('\n');
      if (nl === -1) return this.finish(final);
      this.skipping = false;
      pos = nl + 1;
    }
    // Both searches are cached: a chunk without quotes or bad bytes is then
    // searched once for each, instead of once per line.
    let quoteAt = -1;
    let badAt = -1;
    while (pos < length) {
      let nl = s.indexOf('\n', pos);
      if (nl === -1) {
        if (!final) {
          if (length - pos > MAX_RECORD_CHARS) {
            this.reject(this.line, TOO_LONG);
            this.line++;
            this.skipping = true;
            pos = length;
          }
          break;
        }
        nl = length;
      }
      if (quoteAt < pos) quoteAt = nextIndex(s, '"', pos);
      if (badAt < pos) badAt = nextIndex(s, '\uFFFD', pos);
      if (quoteAt >= nl) {
        let end = nl;
        if (end > pos && s.charCodeAt(end - 1) === CR) end--;
        if (end - pos > MAX_RECORD_CHARS) {
          // Checked here too so the limit does not depend on where chunks end.
          this.reject(this.line, TOO_LONG);
        } else if (end > pos && !isBlank(s, pos, end)) {
          this.record(s.slice(pos, end).split(','), this.line, badAt < end);
        }
        this.line++;
        pos = nl + 1;
        continue;
      }
      let result = this.parseQuoted(s, pos, final);
      if (result.kind === 'incomplete') {
        if (length - pos <= MAX_RECORD_CHARS) break;
        result = this.resyncError(s, pos, TOO_LONG_QUOTED);
      } else if (result.kind === 'record' && result.next - pos > MAX_RECORD_CHARS) {
        result = this.resyncError(s, pos, TOO_LONG_QUOTED);
      }
      if (result.kind === 'record') {
        this.record(result.fields, this.line, badAt < result.next);
      } else {
        this.reject(this.line, result.message);
      }
      this.line += result.newlines;
      pos = result.next;
    }
    if (pos < length) this.rest = s.slice(pos);
    return this.finish(final);
  }

  private finish(final: boolean): FeedRecord[] {
    if (final && this.columns === null) {
      throw new FeedUnreadableError('The CSV file has no header row (it holds only blank lines).');
    }
    return this.out;
  }

  /**
   * A record whose line holds a double quote, field by field. It may run over
   * several lines; it is 'incomplete' when the text ends before the record
   * does and more text is to come.
   */
  private parseQuoted(s: string, start: number, final: boolean): SlowResult {
    const length = s.length;
    const fields: string[] = [];
    let p = start;
    let newlines = 0;
    let nl = nextIndex(s, '\n', p);
    let quote = -1;
    for (;;) {
      if (s.charCodeAt(p) === QUOTE) {
        let value = '';
        let from = p + 1;
        for (;;) {
          const close = s.indexOf('"', from);
          if (close === -1) return final ? this.unterminated(s, start) : INCOMPLETE;
          if (close + 1 === length && !final) return INCOMPLETE; // a doubled quote may be split across chunks
          newlines += countNewlines(s, from, close);
          value += s.slice(from, close);
          if (s.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          p = close + 1;
          break;
        }
        fields.push(value);
        const c = s.charCodeAt(p);
        if (c === COMMA) {
          p++;
          continue;
        }
        if (c === LF) return { kind: 'record', fields, next: p + 1, newlines: newlines + 1 };
        if (c === CR) {
          if (p + 1 === length) return final ? { kind: 'record', fields, next: length, newlines } : INCOMPLETE;
          if (s.charCodeAt(p + 1) === LF) return { kind: 'record', fields, next: p + 2, newlines: newlines + 1 };
        }
        if (p === length) return { kind: 'record', fields, next: p, newlines };
        return this.resyncError(s, start, 'Text follows a closing double quote: a double quote inside a quoted field must be doubled ("").');
      }
      if (nl < p) nl = nextIndex(s, '\n', p);
      if (quote < p) quote = nextIndex(s, '"', p);
      // Runs of unquoted fields are split in one native call, as on the fast
      // path; only quoted fields are taken apart here.
      if (quote >= nl) {
        if (nl === length && !final) return INCOMPLETE;
        let end = nl;
        if (end > p && s.charCodeAt(end - 1) === CR) end--;
        appendAll(fields, s.slice(p, end).split(','));
        return nl < length ? { kind: 'record', fields, next: nl + 1, newlines: newlines + 1 } : { kind: 'record', fields, next: length, newlines };
      }
      if (s.charCodeAt(quote - 1) === COMMA) {
        appendAll(fields, s.slice(p, quote - 1).split(','));
        p = quote;
        continue;
      }
      // A quote inside an unquoted field (5"盆) is kept as a character, as
      // lenient readers do; the field ends at the next comma.
      const comma = s.indexOf(',', p);
      if (comma !== -1 && comma < nl) {
        fields.push(s.slice(p, comma));
        p = comma + 1;
        continue;
      }
      if (nl === length && !final) return INCOMPLETE;
      let end = nl;
      if (end > p && s.charCodeAt(end - 1) === CR) end--;
      fields.push(s.slice(p, end));
      return nl < length ? { kind: 'record', fields, next: nl + 1, newlines: newlines + 1 } : { kind: 'record', fields, next: length, newlines };
    }
  }

  private unterminated(s: string, start: number): SlowError {
    return this.resyncError(s, start, 'A quoted field is never closed (unbalanced double quote); the record was skipped up to the end of this line.');
  }

  /**
   * A malformed record is abandoned at the end of its first line: an
   * unbalanced quote would otherwise swallow every following row up to the
   * next stray quote, and parsing resumes correctly on the next line in the
   * common case of one bad row.
   */
  private resyncError(s: string, start: number, message: string): SlowError {
    const nl = s.indexOf('\n', start);
    return nl === -1 ? { kind: 'error', message, next: s.length, newlines: 0 } : { kind: 'error', message, next: nl + 1, newlines: 1 };
  }

  private reject(line: number, error: string): void {
    if (this.columns === null) throw new FeedUnreadableError(`The CSV header row (line ${line}) is malformed: ${error}`);
    this.out.push({ line, error });
  }

  private record(fields: string[], line: number, notUtf8: boolean): void {
    // Spreadsheet exports pad the sheet with rows of bare commas; they are
    // blank lines, not listings with every field missing.
    let empty = true;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i] !== '') {
        empty = false;
        break;
      }
    }
    if (empty) return;
    const columns = this.columns;
    if (columns === null) {
      this.columns = headerColumns(fields, notUtf8);
      return;
    }
    if (notUtf8) {
      this.reject(line, NOT_UTF8);
      return;
    }
    if (fields.length !== columns.length) {
      this.reject(
        line,
        `The record has ${fields.length} fields, but the header has ${columns.length} columns: check for an unquoted comma or a missing field.`,
      );
      return;
    }
    const raw: Record<string, string> = {};
    for (let i = 0; i < fields.length; i++) {
      const name = columns[i];
      if (name !== null) raw[name] = fields[i];
    }
    this.out.push({ line, raw });
  }
}

function headerColumns(fields: string[], notUtf8: boolean): (string | null)[] {
  if (notUtf8 || fields.some((field) => HEADER_GARBAGE.test(field))) {
    throw new FeedUnreadableError('The CSV header row is not UTF-8 or GB18030 (GBK) text: is this a binary file? Save the feed as UTF-8 CSV.');
  }
  const names = fields.map((field) => field.trim());
  if (names.every((name) => name === '')) throw new FeedUnreadableError('The CSV header row names no columns.');
  const seen = new Set<string>();
  for (const name of names) {
    if (FEED_FIELD_SET.has(name) && seen.has(name)) {
      throw new FeedUnreadableError(`The CSV header names the column "${name}" more than once.`);
    }
    seen.add(name);
  }
  // Without a required column every row would be rejected for the same
  // reason; one file-level message is what the operator needs instead.
  const missing = REQUIRED_FEED_FIELDS.filter((field) => !seen.has(field));
  if (missing.length > 0) {
    throw new FeedUnreadableError(
      `The CSV header has no column for the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        ` (header: ${clip(names.join(','))}); the feed columns are ${FEED_FIELDS.join(', ')}.`,
    );
  }
  return names.map((name) => (name === '' ? null : name));
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

class JsonlParser implements RecordParser {
  private line = 1;
  private rest = '';
  private skipping = false;
  private sawRecord = false;
  private out: FeedRecord[] = [];

  get primed(): boolean {
    return this.sawRecord;
  }

  push(chunk: string, final: boolean): FeedRecord[] {
    this.out = [];
    const s = this.rest + chunk;
    this.rest = '';
    const length = s.length;
    let pos = 0;
    if (this.skipping) {
      const nl = s.indexOf('\n');
      if (nl === -1) return this.finish(final);
      this.skipping = false;
      pos = nl + 1;
    }
    let badAt = -1;
    while (pos < length) {
      let nl = s.indexOf('\n', pos);
      if (nl === -1) {
        if (!final) {
          if (length - pos > MAX_RECORD_CHARS) {
            this.sawRecord = true;
            this.out.push({ line: this.line, error: TOO_LONG });
            this.line++;
            this.skipping = true;
            pos = length;
          }
          break;
        }
        nl = length;
      }
      if (badAt < pos) badAt = nextIndex(s, '\uFFFD', pos);
      if (nl - pos > MAX_RECORD_CHARS) {
        this.sawRecord = true;
        this.out.push({ line: this.line, error: TOO_LONG });
      } else if (!isBlank(s, pos, nl)) {
        this.parseLine(s.slice(pos, nl), badAt < nl);
      }
      this.line++;
      pos = nl + 1;
    }
    if (pos < length) this.rest = s.slice(pos);
    return this.finish(final);
  }

  private finish(final: boolean): FeedRecord[] {
    if (final && !this.sawRecord) {
      throw new FeedUnreadableError('The JSON Lines file holds no records, only blank lines.');
    }
    return this.out;
  }

  private parseLine(text: string, notUtf8: boolean): void {
    this.sawRecord = true;
    const line = this.line;
    if (notUtf8) {
      this.out.push({ line, error: NOT_UTF8 });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.out.push({ line, error: `The line is not valid JSON (${(err as Error).message}); each line must hold one JSON object.` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
      this.out.push({ line, error: `The line holds ${kind}, not a JSON object; each line must hold one JSON object.` });
      return;
    }
    const object = value as Record<string, unknown>;
    let raw = object as Record<string, FeedValue>;
    for (const key in object) {
      const field = object[key];
      if (typeof field !== 'object' || field === null) continue;
      if (FEED_FIELD_SET.has(key)) {
        this.out.push({
          line,
          error: `Field "${key}" holds a JSON ${Array.isArray(field) ? 'array' : 'object'}; feed values must be strings, numbers or null.`,
        });
        return;
      }
      // Nested values under keys the feed does not define are ignored like
      // any unknown key, so the record stays a flat map of scalars.
      if (raw === object) raw = { ...object } as Record<string, FeedValue>;
      delete raw[key];
    }
    this.out.push({ line, raw });
  }
}

/** Bytes at the end of `chunk` that start a UTF-8 sequence the next chunk completes. */
function incompleteTail(chunk: Buffer): number {
  for (let i = 1; i <= 3 && i <= chunk.length; i++) {
    const byte = chunk[chunk.length - i];
    if ((byte & 0xc0) === 0x80) continue;
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return size > i ? i : 0;
  }
  return 0;
}

/** Continuation bytes at the start of `chunk` that belong to a sequence begun in the previous chunk. */
function continuationHead(chunk: Buffer): number {
  let i = 0;
  while (i < 3 && i < chunk.length && (chunk[i] & 0xc0) === 0x80) i++;
  return i;
}

/**
 * The records of one feed stream, read on demand. `bytesRead` counts the
 * bytes taken from the stream so far, so a progress display can compare it
 * with the file size; it runs at most one chunk ahead of the records yielded.
 */
export class FeedRecordStream implements AsyncIterable<FeedRecord> {
  private bytes = 0;
  private readonly chunks: AsyncIterator<string | Buffer>;
  // Not fatal: a stray bad byte deep in the file costs its record (the
  // parsers report records holding U+FFFD), not the whole import.
  private readonly decoder = new TextDecoder('utf-8');
  // Decided from the first bytes beyond ASCII (both encodings read ASCII
  // alike; see decode); a file of ASCII only reads as UTF-8.
  private decided: FeedEncoding | null = null;
  private held: Buffer = Buffer.alloc(0);
  private gb18030: iconv.DecoderStream | null = null;
  private readonly parser: RecordParser;
  private pending: FeedRecord[] = [];
  private ended = false;
  private iterated = false;

  constructor(
    input: NodeJS.ReadableStream,
    readonly format: FeedFormat,
  ) {
    this.chunks = input[Symbol.asyncIterator]();
    this.parser = format === 'csv' ? new CsvParser() : new JsonlParser();
  }

  get bytesRead(): number {
    return this.bytes;
  }

  get encoding(): FeedEncoding {
    return this.decided ?? 'UTF-8';
  }

  /**
   * Reads until records can follow (the CSV header, or the first non-blank
   * JSONL line), so a file that cannot be read at all fails here, before any
   * record is handed out.
   */
  async prime(): Promise<void> {
    while (!this.parser.primed && !this.ended) await this.pull();
  }

  /** Releases the underlying stream when the records will not be read to the end. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.pending = [];
    await this.chunks.return?.();
  }

  private async pull(): Promise<void> {
    const next = await this.chunks.next();
    let records: FeedRecord[];
    if (next.done) {
      this.ended = true;
      if (this.bytes === 0) throw new FeedUnreadableError('The feed is empty.');
      const held = this.decided === null && this.held.length > 0 ? this.decide(this.bytes <= SNIFF_BYTES) : '';
      records = this.parser.push(held + (this.gb18030 ? (this.gb18030.end() ?? '') : this.decoder.decode()), true);
    } else {
      const chunk = next.value;
      let text: string;
      if (typeof chunk === 'string') {
        text = this.bytes === 0 && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
        if (this.bytes < SNIFF_BYTES && text.includes('\u0000')) throw binaryFile();
        this.bytes += Buffer.byteLength(chunk);
      } else {
        const sniffing = this.bytes < SNIFF_BYTES;
        if (sniffing && chunk.indexOf(0) !== -1) throw binaryFile();
        text = this.decode(chunk, sniffing);
        this.bytes += chunk.length;
      }
      records = this.parser.push(text, false);
    }
    this.pending = this.pending.length === 0 ? records : this.pending.concat(records);
  }

  /**
   * A binary file decodes into replacement characters rather than failing,
   * so the start of the file (`sniffing`) is checked strictly: garbage there
   * rejects the file before any row is imported. The same bytes tell the
   * encoding: from the first byte beyond ASCII, DECIDE_BYTES are held back
   * and read as UTF-8 if they are valid UTF-8, else as GB18030 if they decode
   * without a replacement character. ASCII before them reads alike in both.
   */
  private decode(chunk: Buffer, sniffing: boolean): string {
    if (this.decided === null) {
      if (this.held.length === 0 && isAscii(chunk)) return this.decoder.decode(chunk, { stream: true });
      this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
      return this.held.length < DECIDE_BYTES ? '' : this.decide(sniffing);
    }
    if (this.gb18030) {
      // Checked as decoded: a chunk may begin inside a two- or four-byte character.
      const text = this.gb18030.write(chunk);
      if (sniffing && text.includes('\uFFFD')) throw notText();
      return text;
    }
    if (sniffing && !isUtf8(chunk.subarray(continuationHead(chunk), chunk.length - incompleteTail(chunk)))) throw notText();
    return this.decoder.decode(chunk, { stream: true });
  }

  /** Reads the held bytes in the encoding they are valid in; past the start of the file a doubt reads as UTF-8 (bad records, not a bad file). */
  private decide(strict: boolean): string {
    const held = this.held;
    this.held = Buffer.alloc(0);
    if (isUtf8(held.subarray(0, held.length - incompleteTail(held)))) {
      this.decided = 'UTF-8';
      return this.decoder.decode(held, { stream: true });
    }
    const gb18030 = iconv.getDecoder('gb18030');
    const text = gb18030.write(held);
    if (!text.includes('\uFFFD')) {
      this.decided = 'GB18030';
      this.gb18030 = gb18030;
      return text;
    }
    if (strict) throw notText();
    this.decided = 'UTF-8';
    return this.decoder.decode(held, { stream: true });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FeedRecord> {
    if (this.iterated) throw new Error('A feed can be read only once.');
    this.iterated = true;
    try {
      for (;;) {
        const batch = this.pending;
        this.pending = [];
        for (let i = 0; i < batch.length; i++) yield batch[i];
        if (this.ended) return;
        await this.pull();
      }
    } finally {
      // Reached on break or throw in the consumer's loop as well: the file
      // handle must not stay open until garbage collection.
      await this.close();
    }
  }
}

function notText(): FeedUnreadableError {
  return new FeedUnreadableError('The feed does not start as UTF-8 or GB18030 (GBK) text: is it a binary file? Save it as UTF-8.');
}

function binaryFile(): FeedUnreadableError {
  return new FeedUnreadableError('The feed contains NUL bytes: it is a binary file, not UTF-8 text.');
}

/** Records of a feed stream; header problems surface as a FeedUnreadableError from the first step of the iteration. */
export function readFeed(input: NodeJS.ReadableStream, format: FeedFormat): FeedRecordStream {
  return new FeedRecordStream(input, format);
}

export interface OpenedFeed {
  readonly format: FeedFormat;
  /** File size in bytes, for progress against bytesRead. */
  readonly size: number;
  readonly records: AsyncIterable<FeedRecord>;
  /** Bytes consumed so far; reaches `size` when the records have been read to the end. */
  readonly bytesRead: number;
  /** The encoding the text is read in; known once the first character beyond ASCII has been read. */
  readonly encoding: FeedEncoding;
  /** Needed only when the records are abandoned without iterating them at all. */
  close(): Promise<void>;
}

function unreadable(path: string, err: unknown): FeedUnreadableError {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new FeedUnreadableError(`Feed file not found: ${path}`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new FeedUnreadableError(`Feed file cannot be read (permission denied): ${path}`, { cause: err });
    case 'EISDIR':
      return new FeedUnreadableError(`${path} is a directory, not a feed file.`, { cause: err });
    default:
      return new FeedUnreadableError(`Feed file cannot be read: ${path} (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Opens a feed file and reads up to its first record, so that a file that
 * cannot be imported at all (missing, a directory, empty, binary, not UTF-8,
 * a CSV without a usable header) throws FeedUnreadableError here, before the
 * caller has written anything. The format defaults to the one the extension
 * names.
 */
export async function openFeed(path: string, format?: FeedFormat): Promise<OpenedFeed> {
  const feedFormat = format ?? detectFormat(path);
  if (feedFormat === null) {
    throw new FeedUnreadableError(`Cannot tell the feed format of ${path}: name it .csv, .jsonl or .ndjson, or give the format.`);
  }
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
  } catch (err) {
    throw unreadable(path, err);
  }
  // Opening (not just stat) is what reveals a file without read permission.
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw unreadable(path, err);
  });
  const source = new FeedRecordStream(handle.createReadStream({ highWaterMark: CHUNK_BYTES }), feedFormat);
  try {
    await source.prime();
  } catch (err) {
    await source.close().catch(() => undefined);
    if (err instanceof FeedUnreadableError) throw new FeedUnreadableError(`${path}: ${err.message}`, { cause: err });
    throw unreadable(path, err);
  }
  return {
    format: feedFormat,
    size,
    records: source,
    get bytesRead() {
      return source.bytesRead;
    },
    get encoding() {
      return source.encoding;
    },
    close: () => source.close(),
  };
}
