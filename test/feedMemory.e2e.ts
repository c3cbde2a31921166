// The importer streams: reading and validating a 1,000,000-row feed keeps
// memory flat (the rows are never held together). The feed is read in a
// process of its own, as the import command reads it
// (test/support/feedMemoryReader.ts says why not in this one).
import { execFile } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FEED_FIELDS } from '../feed';
import { csvLine, generateFeedRows } from '../scripts/generateFeed';

const root = join(__dirname, '..');

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

    const { stdout } = await promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), [
      join(__dirname, 'support', 'feedMemoryReader.ts'),
      file,
      String(ROWS),
    ]);
    const { read, valid, bytesRead, size, rssAtTenth, peak } = JSON.parse(stdout) as Record<string, number>;
    expect(read).toBe(ROWS);
    expect(valid).toBe(ROWS);
    expect(bytesRead).toBe(size);
    // From a tenth of the file to its end memory may move with the garbage
    // collector's rhythm, not with the rows read.
    expect(peak - rssAtTenth).toBeLessThan(64 * 1024 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
