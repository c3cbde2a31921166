// The CSV reader of listing feeds. csv-parse cuts the text into records
// (RFC 4180: quoted fields may hold commas, doubled quotes and line breaks);
// this module gives each record the line it starts on, names its fields from
// the header row, and keeps what the feed has always allowed and refused:
//
// - a double quote inside an unquoted field (5"盆栽) is a character, as
//   lenient readers take it;
// - a malformed record (a quote never closed, text after a closing quote, a
//   record over MAX_RECORD_CHARS) is reported and costs its own first line:
//   reading resumes on the next line with a fresh parser, where csv-parse
//   would stop, and an unbalanced quote cannot swallow the rest of the file;
// - blank lines, lines of spaces and rows of bare commas are skipped.
//
// For that the parser is written to one chunk at a time and the text since
// the end of the last complete record is kept: it is all this reader holds.
import { Parser, type CsvError, type InfoRecord } from 'csv-parse';
import { FEED_FIELDS, REQUIRED_FEED_FIELDS } from './fields';
import { FeedUnreadableError, isBlank, MAX_RECORD_CHARS, NOT_UTF8, TOO_LONG, type FeedRecord, type RecordParser } from './records';

const TOO_LONG_QUOTED = `The record runs over more than ${MAX_RECORD_CHARS} characters (an unbalanced double quote?); it was skipped up to the end of its first line.`;
const NEVER_CLOSED = 'A quoted field is never closed (unbalanced double quote); the record was skipped up to the end of this line.';
const TEXT_AFTER_QUOTE = 'Text follows a closing double quote: a double quote inside a quoted field must be doubled ("").';

const FEED_FIELD_SET: ReadonlySet<string> = new Set(FEED_FIELDS);
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const LINE_FEED = Buffer.from('\n');
/** What the decoder puts for bytes that were not UTF-8. */
const REPLACEMENT = Buffer.from('\uFFFD');
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const HEADER_GARBAGE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

/** Thrown from on_record to stop the parser at a record over MAX_RECORD_CHARS. */
class OverlongRecord extends Error {
  constructor(readonly emptyLines: number) {
    super('overlong record');
  }
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const field of fields) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}

export class CsvRecordParser implements RecordParser {
  /** Column name per position; null for unnamed columns, which are dropped. */
  private columns: (string | null)[] | null = null;
  private parser!: Parser;
  // Offsets are the parser's: bytes written to the current parser.
  /** The chunks written to the parser from the end of the last record on. */
  private held: Buffer[] = [];
  /** Offset of held[0]. */
  private heldFrom = 0;
  private written = 0;
  /** Where the last record ended, how many empty lines the parser had skipped by then, and the line after it. */
  private recordEnd = 0;
  private emptyLines = 0;
  private line = 1;
  /** Text may hold U+FFFD (bytes that were not UTF-8) before this offset. */
  private badUntil = 0;
  /** The start of a record whose first line is not complete yet: parsed again when the rest arrives. */
  private unparsed: Buffer | null = null;
  /** Discarding the remainder of an overlong line up to its newline. */
  private skipping = false;
  private lastByte = -1;
  private out: FeedRecord[] = [];

  constructor() {
    this.restart(1);
  }

  get primed(): boolean {
    return this.columns !== null;
  }

  push(text: string, final: boolean): FeedRecord[] {
    this.out = [];
    let bytes = Buffer.from(text);
    if (bytes.length > 0) this.lastByte = bytes[bytes.length - 1];
    // A carriage return ending the file ends its last line, as one before a line feed does.
    if (final && this.lastByte === CR) bytes = Buffer.concat([bytes, LINE_FEED]);
    if (this.skipping) {
      const nl = bytes.indexOf(LF);
      if (nl === -1) return this.finish(final);
      this.skipping = false;
      bytes = bytes.subarray(nl + 1);
    }
    if (this.unparsed) {
      bytes = Buffer.concat([this.unparsed, bytes]);
      this.unparsed = null;
    }
    for (let next: Buffer | null = bytes; next !== null;) next = this.parse(next, final);
    return this.finish(final);
  }

  private finish(final: boolean): FeedRecord[] {
    if (final && this.columns === null) {
      throw new FeedUnreadableError('The CSV file has no header row (it holds only blank lines).');
    }
    return this.out;
  }

  private restart(line: number): void {
    this.parser = new Parser({
      bom: false, // the decoder has dropped it
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true, // a record of the wrong length is reported with its line, below
      skip_empty_lines: true,
      on_record: (fields: string[], info: InfoRecord) => this.onRecord(fields, info),
    });
    // Errors are read from `errored` right after each write; the event that
    // follows a tick later only needs a listener.
    this.parser.on('error', () => undefined);
    this.held = [];
    this.heldFrom = 0;
    this.written = 0;
    this.recordEnd = 0;
    this.emptyLines = 0;
    this.badUntil = 0;
    this.line = line;
  }

  /** Writes `bytes` to the parser; after a malformed record, returns the text a fresh parser reads from its next line. */
  private parse(bytes: Buffer, final: boolean): Buffer | null {
    this.held.push(bytes);
    this.written += bytes.length;
    if (bytes.indexOf(REPLACEMENT) !== -1) this.badUntil = this.written;
    if (bytes.length > 0) this.parser.write(bytes);
    if (final && !this.parser.errored) this.parser.end();
    const error = this.parser.errored;
    if (error) return this.recover(error, final);
    if (!final && this.written - this.recordEnd > MAX_RECORD_CHARS) {
      this.passEmptyLines();
      if (this.charsFrom(this.recordEnd, this.written) > MAX_RECORD_CHARS) return this.cutOverlong();
    }
    // Chunks wholly before the record being read are let go.
    while (this.held.length > 0 && this.heldFrom + this.held[0].length <= this.recordEnd) {
      this.heldFrom += this.held[0].length;
      this.held.shift();
    }
    return null;
  }

  private onRecord(fields: string[], info: InfoRecord): null {
    const skipped = info.empty_lines - this.emptyLines;
    if (info.bytes - this.recordEnd > MAX_RECORD_CHARS && this.charsFrom(this.startAfter(skipped), info.bytes) > MAX_RECORD_CHARS) {
      throw new OverlongRecord(info.empty_lines);
    }
    const line = this.line + skipped;
    const start = this.recordEnd;
    this.line = line + countNewlines(fields) + 1;
    this.emptyLines = info.empty_lines;
    this.recordEnd = info.bytes;
    // A line of spaces is blank unless its spaces are quoted ("  ").
    if (fields.length === 1 && fields[0] !== '' && isBlank(fields[0], 0, fields[0].length) && this.byteAt(this.startAfter(skipped, start)) !== QUOTE) {
      return null;
    }
    this.record(fields, line, start < this.badUntil && fields.some((field) => field.includes('\uFFFD')));
    return null;
  }

  /** The bytes written to the parser that are still held, as one buffer. */
  private heldText(): Buffer {
    if (this.held.length !== 1) this.held = [Buffer.concat(this.held)];
    return this.held[0];
  }

  private byteAt(offset: number): number {
    let at = offset - this.heldFrom;
    for (const chunk of this.held) {
      if (at < chunk.length) return chunk[at];
      at -= chunk.length;
    }
    return -1;
  }

  /** Offset where a record starts that follows `skipped` empty lines after `from` (the last record's end). */
  private startAfter(skipped: number, from = this.recordEnd): number {
    let at = from;
    let base = this.heldFrom;
    let i = 0;
    for (let n = 0; n < skipped; n++) {
      // Each empty line is a line feed, or a carriage return and one, within the held chunks.
      for (;;) {
        const chunk = this.held[i];
        const found = chunk.indexOf(LF, Math.max(0, at - base));
        if (found !== -1) {
          at = base + found + 1;
          break;
        }
        base += chunk.length;
        i++;
      }
    }
    return at;
  }

  /** UTF-16 length of the held text from `start` to `end`, without the line break it ends in. */
  private charsFrom(start: number, end: number): number {
    const text = this.heldText();
    let stop = end - this.heldFrom;
    if (text[stop - 1] === LF) stop--;
    if (text[stop - 1] === CR) stop--;
    return text.toString('utf8', start - this.heldFrom, stop).length;
  }

  /**
   * After a malformed record: reports it and gives the text from its next
   * line on, or rewrites a stray quote and gives the record again. A record
   * is judged on its whole first line, so until that has arrived its text is
   * kept for the next chunk.
   */
  private recover(error: Error, final: boolean): Buffer | null {
    if (error instanceof FeedUnreadableError) throw error;
    const overlong = error instanceof OverlongRecord;
    const code = overlong ? null : (error as CsvError).code;
    if (!overlong && code !== 'INVALID_OPENING_QUOTE' && code !== 'CSV_INVALID_CLOSING_QUOTE' && code !== 'CSV_QUOTE_NOT_CLOSED') throw error;
    const skipped = (overlong ? error.emptyLines : Number((error as CsvError).empty_lines)) - this.emptyLines;
    const text = this.heldText();
    const start = this.startAfter(skipped) - this.heldFrom;
    const line = this.line + skipped;
    const nl = text.indexOf(LF, start);
    if (nl === -1 && !final) {
      if (this.charsFrom(start + this.heldFrom, this.heldFrom + text.length) > MAX_RECORD_CHARS) return this.skipLine(line, TOO_LONG);
      return this.wait(text.subarray(start), line);
    }
    if (code === 'INVALID_OPENING_QUOTE') {
      // The field runs from its start to the next comma or the end of its
      // line, quotes and all; quoted as RFC 4180 has it, it reads the same.
      const index = Number((error as CsvError).index);
      const fieldStart = index === 0 ? start : Number((error as CsvError).bytes) - this.heldFrom + 1;
      const comma = text.indexOf(COMMA, fieldStart);
      const fieldNl = text.indexOf(LF, fieldStart);
      let fieldEnd = text.length;
      if (comma !== -1 && (fieldNl === -1 || comma < fieldNl)) fieldEnd = comma;
      else if (fieldNl !== -1) fieldEnd = fieldNl > fieldStart && text[fieldNl - 1] === CR ? fieldNl - 1 : fieldNl;
      else if (!final) return this.wait(text.subarray(start), line);
      const field = text.toString('utf8', fieldStart, fieldEnd).replaceAll('"', '""');
      const again = Buffer.concat([text.subarray(start, fieldStart), Buffer.from(`"${field}"`), text.subarray(fieldEnd)]);
      this.restart(line);
      return again;
    }
    let reason = code === 'CSV_QUOTE_NOT_CLOSED' ? NEVER_CLOSED : TEXT_AFTER_QUOTE;
    if (overlong) reason = text.subarray(start, nl === -1 ? text.length : nl).includes(QUOTE) ? TOO_LONG_QUOTED : TOO_LONG;
    this.reject(line, reason);
    this.restart(line + 1);
    return nl === -1 ? null : text.subarray(nl + 1);
  }

  /** Keeps the start of a record to be parsed again, from `line`, when more text has come. */
  private wait(record: Buffer, line: number): null {
    this.unparsed = record;
    this.restart(line);
    return null;
  }

  /** Moves past the empty lines the parser has skipped since the last record, so a run of them is not held. */
  private passEmptyLines(): void {
    const skipped = this.parser.info.empty_lines - this.emptyLines;
    this.recordEnd = this.startAfter(skipped);
    this.emptyLines += skipped;
    this.line += skipped;
  }

  /** A record not finished within MAX_RECORD_CHARS: skipped to the end of its first line, or of the line being read when that has not ended yet. */
  private cutOverlong(): Buffer | null {
    const text = this.heldText();
    const start = this.recordEnd - this.heldFrom;
    const nl = text.indexOf(LF, start);
    if (nl === -1) return this.skipLine(this.line, TOO_LONG);
    this.reject(this.line, text.subarray(start, nl).includes(QUOTE) ? TOO_LONG_QUOTED : TOO_LONG);
    this.restart(this.line + 1);
    return text.subarray(nl + 1);
  }

  private skipLine(line: number, reason: string): null {
    this.reject(line, reason);
    this.restart(line + 1);
    this.skipping = true;
    return null;
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
