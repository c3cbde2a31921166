/**
 * Progress of an import: on a terminal a bar redrawn in place (rows, rows/s,
 * ETA from the bytes read out of the file's size); in a pipe or CI a plain
 * line every few seconds, so logs stay readable.
 */
export class ImportProgress {
  private readonly started = Date.now();
  private lastLine = 0;
  private lastBytes = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly totalBytes: number,
    private readonly lineIntervalMs = 5000,
  ) {}

  private rate(rows: number): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? rows / seconds : 0;
  }

  private eta(bytes: number): string {
    const seconds = (Date.now() - this.started) / 1000;
    if (bytes <= 0 || seconds <= 0 || this.totalBytes <= 0) return '--';
    const remaining = Math.max(0, ((this.totalBytes - bytes) / bytes) * seconds);
    return remaining >= 60 ? `${Math.floor(remaining / 60)}m${Math.round(remaining % 60)}s` : `${Math.round(remaining)}s`;
  }

  update(rows: number, bytes: number): void {
    this.lastBytes = Math.max(this.lastBytes, bytes);
    const fraction = this.totalBytes > 0 ? Math.min(1, this.lastBytes / this.totalBytes) : 0;
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${rows} rows  ${Math.round(this.rate(rows))} rows/s  ETA ${this.eta(this.lastBytes)}   `,
      );
      return;
    }
    const now = Date.now();
    if (now - this.lastLine < this.lineIntervalMs) return;
    this.lastLine = now;
    this.stream.write(`progress: ${rows} rows, ${(fraction * 100).toFixed(1)}%, ${Math.round(this.rate(rows))} rows/s, ETA ${this.eta(this.lastBytes)}\n`);
  }

  done(rows: number): void {
    const seconds = (Date.now() - this.started) / 1000;
    if (this.stream.isTTY) this.stream.write('\n');
    this.stream.write(`read ${rows} rows in ${seconds.toFixed(1)} s (${Math.round(this.rate(rows))} rows/s)\n`);
  }
}
