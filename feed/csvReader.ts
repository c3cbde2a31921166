// The CSV reader of listing feeds (RFC 4180: quoted fields may hold commas,
// doubled quotes and line breaks). Records come out with the line they start
// on; a malformed record costs its own first line, not the rest of the file.
import { FEED_FIELDS, REQUIRED_FEED_FIELDS } from './fields';
import { FeedUnreadableError, isBlank, MAX_RECORD_CHARS, nextIndex, NOT_UTF8, TOO_LONG, type FeedRecord, type RecordParser } from './records';

const TOO_LONG_QUOTED = `The record runs over more than ${MAX_RECORD_CHARS} characters (an unbalanced double quote?); it was skipped up to the end of its first line.`;

const FEED_FIELD_SET: ReadonlySet<string> = new Set(FEED_FIELDS);
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const HEADER_GARBAGE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/;

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

export class CsvRecordParser implements RecordParser {
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
