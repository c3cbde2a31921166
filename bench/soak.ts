// npm run bench:soak [-- --minutes 10 --clients 32 --modes off,on]
// A long steady load, to show that the gateway neither fails nor grows: 32
// closed-loop clients send the contract's partner reads (catalog pages,
// product details, suppliers with products) for `--minutes` per mode, first
// with the response cache off, then on, against the catalog as processes in
// production mode on PostgreSQL. Every 10 s it samples the gateway's RSS and
// counts answers and errors; after a warm-up (a quarter of the run, at most
// a minute) the RSS samples get a least-squares slope in MiB per minute: a
// leak shows as a slope that does not go away with a longer run.
// Writes bench/results/soak-<time>.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { partnerRequests, rssMiB, send, stamp, startCatalogProcesses, type CatalogProcesses, type CatalogRequest } from './catalogProcesses';

const SAMPLE_SECONDS = 10;

interface Sample {
  seconds: number;
  rssMiB: number;
  answered: number;
  errors: number;
}

interface ModeResult {
  cache: 'off' | 'on';
  minutes: number;
  clients: number;
  answered: number;
  errors: number;
  errorSamples: string[];
  requestsPerSecond: number;
  samples: Sample[];
  warmupSeconds: number;
  slopeMiBPerMinute: number;
  rssAfterWarmupMiB: { first: number; last: number; min: number; max: number };
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const covariance = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0);
  const variance = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  return covariance / variance;
}

async function soak(
  catalog: CatalogProcesses,
  requests: CatalogRequest[],
  cache: 'off' | 'on',
  minutes: number,
  clients: number,
  log: (line: string) => void,
): Promise<ModeResult> {
  const durationMs = minutes * 60_000;
  const started = Date.now();
  let answered = 0;
  let errors = 0;
  const errorSamples: string[] = [];
  const client = async (index: number) => {
    // Each client walks the requests from its own offset, so all are in flight at once.
    let next = (index * 7) % requests.length;
    while (Date.now() - started < durationMs) {
      const request = requests[next];
      next = (next + 1) % requests.length;
      const result = await send(catalog.gatewayUrl, request.body);
      if (result.ok) answered += 1;
      else {
        errors += 1;
        if (errorSamples.length < 10) errorSamples.push(`${request.operationName}: ${result.problem}`);
      }
    }
  };
  const samples: Sample[] = [];
  let counted = { answered: 0, errors: 0 };
  const sample = () => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const entry = { seconds, rssMiB: rssMiB(catalog.gatewayPid()), answered: answered - counted.answered, errors: errors - counted.errors };
    counted = { answered, errors };
    samples.push(entry);
    log(
      `cache ${cache}: ${String(seconds).padStart(4)} s  RSS ${entry.rssMiB.toFixed(1)} MiB  ${(entry.answered / SAMPLE_SECONDS).toFixed(0)} answers/s  ${entry.errors} errors`,
    );
  };
  samples.push({ seconds: 0, rssMiB: rssMiB(catalog.gatewayPid()), answered: 0, errors: 0 });
  const timer = setInterval(sample, SAMPLE_SECONDS * 1000);
  await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  clearInterval(timer);
  if (samples[samples.length - 1].seconds < Math.round(durationMs / 1000)) sample();
  const warmupSeconds = Math.min(60, (minutes * 60) / 4);
  const steady = samples.filter((entry) => entry.seconds >= warmupSeconds);
  const rss = steady.map((entry) => entry.rssMiB);
  return {
    cache,
    minutes,
    clients,
    answered,
    errors,
    errorSamples,
    requestsPerSecond: answered / (durationMs / 1000),
    samples,
    warmupSeconds,
    slopeMiBPerMinute: slope(steady.map((entry) => ({ x: entry.seconds / 60, y: entry.rssMiB }))),
    rssAfterWarmupMiB: { first: rss[0], last: rss[rss.length - 1], min: Math.min(...rss), max: Math.max(...rss) },
  };
}

function markdown(results: ModeResult[]): string {
  const lines = [
    '| cache | minutes | clients | answers | errors | answers/s | RSS after warm-up (first → last, min–max) | slope after warm-up |',
    '| --- | --: | --: | --: | --: | --: | --- | --: |',
    ...results.map(
      (r) =>
        `| ${r.cache} | ${r.minutes} | ${r.clients} | ${r.answered} | ${r.errors} | ${r.requestsPerSecond.toFixed(0)} | ` +
        `${r.rssAfterWarmupMiB.first.toFixed(1)} → ${r.rssAfterWarmupMiB.last.toFixed(1)} MiB (${r.rssAfterWarmupMiB.min.toFixed(1)}–${r.rssAfterWarmupMiB.max.toFixed(1)}) | ` +
        `${r.slopeMiBPerMinute >= 0 ? '+' : ''}${r.slopeMiBPerMinute.toFixed(2)} MiB/min |`,
    ),
    '',
  ];
  for (const r of results) {
    lines.push(`RSS curve, cache ${r.cache} (MiB every ${SAMPLE_SECONDS} s): ${r.samples.map((entry) => entry.rssMiB.toFixed(0)).join(' ')}`, '');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      clients: { type: 'string', default: '32' },
      modes: { type: 'string', default: 'off,on' },
    },
  });
  const minutes = Number(values.minutes);
  const clients = Number(values.clients);
  const modes = values.modes!.split(',').map((mode) => mode.trim()) as ('off' | 'on')[];
  if (!(minutes > 0) || !(clients > 0) || modes.some((mode) => mode !== 'off' && mode !== 'on')) {
    throw new Error('--minutes and --clients must be positive; --modes is off, on or off,on');
  }
  const begin = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - begin) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const catalog = await startCatalogProcesses({ RESPONSE_CACHE: modes[0] }, log);
  const results: ModeResult[] = [];
  try {
    const requests = await partnerRequests(catalog.gatewayUrl);
    log(`${requests.length} distinct partner reads; ${clients} clients, ${minutes} min per mode`);
    for (const [index, cache] of modes.entries()) {
      if (index > 0) await catalog.restartGateway({ RESPONSE_CACHE: cache });
      results.push(await soak(catalog, requests, cache, minutes, clients, log));
    }
  } finally {
    await catalog.close();
  }
  const table = markdown(results);
  console.log(`\n${table}`);
  for (const r of results) for (const sample of r.errorSamples) console.log(`error (cache ${r.cache}): ${sample}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const name = `soak-${stamp()}`;
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ date: new Date().toISOString(), store: 'PostgreSQL', results }, null, 2)}\n`);
  writeFileSync(join(dir, `${name}.md`), `${table}\n`);
  console.log(`written to bench/results/${name}.{json,md}`);
  if (results.some((r) => r.errors > 0)) process.exitCode = 2;
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
