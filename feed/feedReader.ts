// Streaming reader of listing feed files (../shared/contract/listing-feed.md):
// CSV or JSON Lines, UTF-8 or GB18030. Records come out one at a time with the
// line they start on, so a 1,000,000-row file costs a chunk of memory, not
// the file.
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { CsvRecordParser } from './csvReader';
import { FeedDecoder, type FeedEncoding } from './encoding';
import { JsonLinesRecordParser } from './jsonLinesReader';
import { FeedUnreadableError, type FeedRecord, type RecordParser } from './records';

export type FeedFormat = 'csv' | 'jsonl';

const CHUNK_BYTES = 64 * 1024;

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

/**
 * The records of one feed stream, read on demand. `bytesRead` counts the
 * bytes taken from the stream so far, so a progress display can compare it
 * with the file size; it runs at most one chunk ahead of the records yielded.
 */
export class FeedRecordStream implements AsyncIterable<FeedRecord> {
  private readonly chunks: AsyncIterator<string | Buffer>;
  private readonly decoder = new FeedDecoder();
  private readonly parser: RecordParser;
  private pending: FeedRecord[] = [];
  private ended = false;
  private iterated = false;

  constructor(
    input: NodeJS.ReadableStream,
    readonly format: FeedFormat,
  ) {
    this.chunks = input[Symbol.asyncIterator]();
    this.parser = format === 'csv' ? new CsvRecordParser() : new JsonLinesRecordParser();
  }

  get bytesRead(): number {
    return this.decoder.bytesRead;
  }

  get encoding(): FeedEncoding {
    return this.decoder.encoding;
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
      records = this.parser.push(this.decoder.end(), true);
    } else {
      records = this.parser.push(this.decoder.write(next.value), false);
    }
    this.pending = this.pending.length === 0 ? records : this.pending.concat(records);
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
