// The text encoding of a feed file. The contract says UTF-8; Excel on
// Chinese Windows saves a CSV in GBK (GB18030, which contains GBK and
// GB2312), so that is read too, told apart by the first bytes beyond ASCII.
// A file whose start is not text in either (a binary file, say) is refused
// before any row is read.
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { FeedUnreadableError } from './records';

/** The text encoding a feed was read in. */
export type FeedEncoding = 'UTF-8' | 'GB18030';

/** How much of the start of a file must be clean text for it to be read at all. */
const SNIFF_BYTES = 64 * 1024;
/** How many bytes from the first one beyond ASCII decide between UTF-8 and GB18030. */
const DECIDE_BYTES = 1024;

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

/** Turns the chunks of a feed stream into text, in the encoding the file is in. */
export class FeedDecoder {
  private bytes = 0;
  // Not fatal: a stray bad byte deep in the file costs its record (the
  // parsers report records holding U+FFFD), not the whole import.
  private readonly decoder = new TextDecoder('utf-8');
  // Decided from the first bytes beyond ASCII (both encodings read ASCII
  // alike; see decode); a file of ASCII only reads as UTF-8.
  private decided: FeedEncoding | null = null;
  private held: Buffer = Buffer.alloc(0);
  private gb18030: iconv.DecoderStream | null = null;

  /** Bytes taken so far. */
  get bytesRead(): number {
    return this.bytes;
  }

  get encoding(): FeedEncoding {
    return this.decided ?? 'UTF-8';
  }

  /** The text of the next chunk (a string chunk comes from a stream with an encoding set and is taken as it is). */
  write(chunk: string | Buffer): string {
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
    return text;
  }

  /** The text still held back when the stream ends. */
  end(): string {
    if (this.bytes === 0) throw new FeedUnreadableError('The feed is empty.');
    const held = this.decided === null && this.held.length > 0 ? this.decide(this.bytes <= SNIFF_BYTES) : '';
    return held + (this.gb18030 ? (this.gb18030.end() ?? '') : this.decoder.decode());
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
}

function notText(): FeedUnreadableError {
  return new FeedUnreadableError('The feed does not start as UTF-8 or GB18030 (GBK) text: is it a binary file? Save it as UTF-8.');
}

function binaryFile(): FeedUnreadableError {
  return new FeedUnreadableError('The feed contains NUL bytes: it is a binary file, not UTF-8 text.');
}
