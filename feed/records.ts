// What the feed readers (csvReader.ts, jsonLinesReader.ts) yield: one record
// per row with the line it starts on, or the reason the row could not be
// read. Values are returned as parsed (CSV values are untrimmed strings);
// deciding whether a row is a good listing is validation.ts's job.

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
export const TOO_LONG = `The line is longer than ${MAX_RECORD_CHARS} characters and was skipped.`;
export const NOT_UTF8 = 'The record contains bytes that are not valid UTF-8 (was it saved as GBK/GB18030?); the feed must be UTF-8 text.';

/** A reader of one format: decoded text in, records out. */
export interface RecordParser {
  /** True once records may follow: the CSV header is known, or a JSONL file showed a non-blank line. */
  readonly primed: boolean;
  /** Parses more text; `final` says no text follows. Returns the records this text completed. */
  push(text: string, final: boolean): FeedRecord[];
}

/** Position of the next occurrence at or after `from`, or `end` when there is none (a sentinel that never needs a re-search). */
export function nextIndex(s: string, needle: string, from: number): number {
  const at = s.indexOf(needle, from);
  return at === -1 ? s.length : at;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;

/** True when s[start, end) holds only spaces, tabs and carriage returns. */
export function isBlank(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== CR) return false;
  }
  return true;
}
