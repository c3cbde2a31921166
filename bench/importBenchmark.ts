// npm run bench:import [-- --rows 100000] [--keep]
// Measures the feed import on PostgreSQL: starts the catalog as processes on
// fresh databases, generates a feed, imports it with the import command (a
// separate process, as an operator runs it) and imports it again (nothing
// changes). Writes bench/results/import-<time>.{json,md}.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { createTestDatabase, freePort } from '../test/support/catalogHarness';
import { csvLine, generateFeedRows } from '../scripts/generateFeed';
import { FEED_FIELDS } from '../feed';

const root = join(__dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

async function writeFeed(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${FEED_FIELDS.join(',')}\n`);
  // About one catalog product per three listings, as on a real platform.
  for (const row of generateFeedRows({ rows, seed: 7, platform: 'bench', bases: Math.max(1, Math.round(rows / 120)) })) {
    if (!out.write(`${csvLine(row)}\n`)) await once(out, 'drain');
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

interface Run {
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  output: string;
}

async function importOnce(gateway: string, file: string, rows: number, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = process.hrtime.bigint();
  const { stdout } = await promisify(execFile)(
    tsx,
    [join(root, 'scripts', 'import.ts'), '--platform', 'bench', '--gateway', gateway, '--report', join(tmpdir(), 'bench-import-report.csv'), file],
    {
      maxBuffer: 1 << 24,
      env,
    },
  ).catch((err: { stdout: string; code: number }) => {
    if (err.code === 2) return { stdout: err.stdout };
    throw err;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = /peak memory \(RSS\):\s+(\d+)/.exec(stdout);
  return { seconds, rowsPerSecond: rows / seconds, peakRssMiB: rss ? Number(rss[1]) : NaN, output: stdout };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' } } });
  const rows = Number(values.rows);
  const dir = mkdtempSync(join(tmpdir(), 'rgg-bench-import-'));
  const feed = join(dir, 'feed.csv');
  console.log(`generating ${rows} rows...`);
  await writeFeed(feed, rows);
  const databases = await Promise.all(['products', 'suppliers', 'certification'].map((name) => createTestDatabase(`bench_${name}`)));
  const port = await freePort();
  const env = {
    ...process.env,
    NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
    // As an operator runs it: production mode, with its own secrets.
    NODE_ENV: 'production',
    AUTH_SECRET: randomBytes(32).toString('hex'),
    SUBGRAPH_SECRET: randomBytes(32).toString('hex'),
    PORT: String(port),
    PRODUCTS_PORT: String(await freePort()),
    SUPPLIERS_PORT: String(await freePort()),
    CERTIFICATION_PORT: String(await freePort()),
    PRODUCTS_DATABASE_URL: databases[0].url,
    SUPPLIERS_DATABASE_URL: databases[1].url,
    CERTIFICATION_DATABASE_URL: databases[2].url,
  };
  const catalog = spawn(tsx, [join(root, 'scripts', 'start.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let log = '';
    await new Promise<void>((resolve, reject) => {
      catalog.stdout!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Relief Goods Graph is running')) resolve();
      });
      catalog.once('exit', (code) => reject(new Error(`catalog exited with ${code}`)));
    });
    const gateway = `http://127.0.0.1:${port}/graphql`;
    await promisify(execFile)(tsx, [join(root, 'scripts', 'platform.ts'), 'add', 'bench', 'Benchmark platform', '--gateway', gateway], { env });
    console.log('first import (creates and matches every listing)...');
    const first = await importOnce(gateway, feed, rows, env);
    console.log(first.output);
    console.log('second import (nothing changes)...');
    const second = await importOnce(gateway, feed, rows, env);
    console.log(second.output);
    const result = {
      date: new Date().toISOString(),
      store: 'PostgreSQL',
      rows,
      fileBytes: statSync(feed).size,
      first: { seconds: first.seconds, rowsPerSecond: Math.round(first.rowsPerSecond), peakRssMiB: first.peakRssMiB },
      second: { seconds: second.seconds, rowsPerSecond: Math.round(second.rowsPerSecond), peakRssMiB: second.peakRssMiB },
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const stamp = result.date.replace(/[-:]/g, '').replace(/\..*/, '');
    writeFileSync(join(root, 'bench', 'results', `import-${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
    const table = [
      `| import of ${rows} rows on PostgreSQL | seconds | rows/s | importer peak RSS |`,
      '| --- | --- | --- | --- |',
      `| first (create + match) | ${first.seconds.toFixed(1)} | ${Math.round(first.rowsPerSecond)} | ${first.peakRssMiB} MiB |`,
      `| second (unchanged) | ${second.seconds.toFixed(1)} | ${Math.round(second.rowsPerSecond)} | ${second.peakRssMiB} MiB |`,
    ].join('\n');
    writeFileSync(join(root, 'bench', 'results', `import-${stamp}.md`), `${table}\n`);
    console.log(table);
  } finally {
    // A catalog that already exited (it failed to start) emits no second
    // exit: waiting for one would end the process with the databases left.
    if (catalog.exitCode === null && catalog.signalCode === null) {
      catalog.kill('SIGTERM');
      await once(catalog, 'exit').catch(() => undefined);
    }
    await Promise.all(databases.map((database) => database.drop()));
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
