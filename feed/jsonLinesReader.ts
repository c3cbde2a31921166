// The JSON Lines reader of listing feeds: one JSON object per line, with the
// same keys as the CSV header.
import { FEED_FIELDS } from './fields';
import { FeedUnreadableError, isBlank, MAX_RECORD_CHARS, nextIndex, NOT_UTF8, TOO_LONG, type FeedRecord, type FeedValue, type RecordParser } from './records';

const FEED_FIELD_SET: ReadonlySet<string> = new Set(FEED_FIELDS);

export class JsonLinesRecordParser implements RecordParser {
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
