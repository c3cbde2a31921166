// The importer streams: reading and validating a 1,000,000-row feed keeps
// memory flat (the rows are never held together).
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_FIELDS, openFeed, validateFeedRow } from '../feed';
import { csvLine, generateFeedRows } from '../scripts/generateFeed';

const ROWS = 1_000_000;

it(`reads and validates a ${ROWS.toLocaleString('en')}-row feed with flat memory`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rgg-million-'));
  const file = join(dir, 'feed.csv');
  try {
    const out = createWriteStream(file);
    out.write(`${FEED_FIELDS.join(',')}\n`);
    let chunk: string[] = [];
    for (const row of generateFeedRows({ rows: ROWS, seed: 1, platform: 'jd', bases: 5000 })) {
      chunk.push(csvLine(row));
      if (chunk.length === 5000) {
        if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
        chunk = [];
      }
    }
    out.end(chunk.length ? `${chunk.join('\n')}\n` : '');
    await once(out, 'finish');

    global.gc?.();
    const feed = await openFeed(file);
    let valid = 0;
    let read = 0;
    let rssAtTenth = 0;
    let peak = 0;
    for await (const record of feed.records) {
      read += 1;
      if (!('error' in record) && validateFeedRow(record.raw).listing) valid += 1;
      if (read % 50_000 === 0) {
        const rss = process.memoryUsage().rss;
        if (read === ROWS / 10) rssAtTenth = rss;
        peak = Math.max(peak, rss);
      }
    }
    expect(read).toBe(ROWS);
    expect(valid).toBe(ROWS);
    expect(feed.bytesRead).toBe(feed.size);
    // From a tenth of the file to its end memory may move with the garbage
    // collector's rhythm, not with the rows read.
    expect(peak - rssAtTenth).toBeLessThan(64 * 1024 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
