// npm run bench:flood [-- --seconds 20 --flooders 16 --clients 4]
// What a flood of the largest documents the gateway accepts costs everyone
// else: `--clients` closed-loop clients send ordinary partner reads (cache
// off, so each one is planned and fetched) for `--seconds` alone, then as long
// again while `--flooders` clients send, back to back, documents of repeated
// fields just under MAX_BODY_BYTES (1 MiB) each. The gateway refuses those
// before validation (MAX_QUERY_TOKENS); the figure is how much later the
// ordinary requests are answered meanwhile (p50, p95, p99 against the run
// alone). The catalog runs as processes in production mode on PostgreSQL.
// Writes bench/results/flood-<time>.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { cpuSeconds, partnerRequests, percentile, send, stamp, startCatalogProcesses, type CatalogRequest } from './catalogProcesses';

const MAX_BODY_BYTES = 1024 * 1024;

/** A document of repeated fields whose request body is just under `bytes`. */
function largestDocument(bytes = MAX_BODY_BYTES): string {
  const head = '{"query":"{ platforms { ';
  const tail = '} }"}';
  const room = bytes - head.length - tail.length - 16;
  return `${head}${'code '.repeat(Math.floor(room / 5))}${tail}`;
}

// Plain JavaScript, run in a worker thread: `flooders` loops posting the document until `until`.
const FLOODER = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, document, until, flooders } = workerData;
const statuses = {};
let sent = 0;
async function flooder() {
  while (Date.now() < until) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: document, signal: AbortSignal.timeout(30000) });
      const text = await response.text();
      const match = /"code":"([A-Z_]+)"/.exec(text);
      const key = response.status + ' ' + (match ? match[1] : 'none');
      statuses[key] = (statuses[key] || 0) + 1;
    } catch (err) {
      statuses[err.name] = (statuses[err.name] || 0) + 1;
    }
    sent += 1;
  }
}
Promise.all(Array.from({ length: flooders }, flooder)).then(() => parentPort.postMessage({ sent, statuses }));
`;

interface Phase {
  /** The gateway's CPU time during the phase, as a share of one core. */
  gatewayCpuShare?: number;
  ordinary: { answered: number; errors: number; p50: number; p95: number; p99: number; max: number; perSecond: number };
  flood?: { sent: number; statuses: Record<string, number>; perSecond: number; megabytesPerSecond: number };
}

async function phase(url: string, requests: CatalogRequest[], seconds: number, clients: number, flooders: number, document: string): Promise<Phase> {
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const ordinary = async (index: number) => {
    let next = (index * 5) % requests.length;
    while (Date.now() < until) {
      const result = await send(url, requests[next].body);
      next = (next + 1) % requests.length;
      if (result.ok) latencies.push(result.ms);
      else errors += 1;
    }
  };
  // The flood comes from a thread of its own: sending megabytes must not
  // delay the measuring clients' own event loop and pass for the gateway's delay.
  const flood =
    flooders > 0
      ? new Promise<{ sent: number; statuses: Record<string, number> }>((resolve, reject) => {
          const worker = new Worker(FLOODER, { eval: true, workerData: { url, document, until, flooders } });
          worker.once('message', resolve);
          worker.once('error', reject);
        })
      : Promise.resolve({ sent: 0, statuses: {} });
  const [{ sent, statuses }] = await Promise.all([flood, ...Array.from({ length: clients }, (_, index) => ordinary(index))]);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    ordinary: {
      answered: sorted.length,
      errors,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      perSecond: sorted.length / seconds,
    },
    ...(flooders > 0 ? { flood: { sent, statuses, perSecond: sent / seconds, megabytesPerSecond: (sent * document.length) / seconds / 1024 / 1024 } } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      flooders: { type: 'string', default: '16' },
      clients: { type: 'string', default: '4' },
    },
  });
  const seconds = Number(values.seconds);
  const flooders = Number(values.flooders);
  const clients = Number(values.clients);
  const begin = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - begin) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const catalog = await startCatalogProcesses({ RESPONSE_CACHE: 'off' }, log);
  const document = largestDocument();
  let alone: Phase;
  let flooded: Phase;
  let single: number;
  try {
    const requests = await partnerRequests(catalog.gatewayUrl);
    log(`warm-up, then ${seconds} s of ${clients} ordinary clients alone`);
    await phase(catalog.gatewayUrl, requests, Math.min(5, seconds), clients, 0, document);
    let cpu = cpuSeconds(catalog.gatewayPid());
    alone = await phase(catalog.gatewayUrl, requests, seconds, clients, 0, document);
    alone.gatewayCpuShare = (cpuSeconds(catalog.gatewayPid()) - cpu) / seconds;
    log(`${seconds} s of the same with ${flooders} clients sending ${(document.length / 1024).toFixed(0)} KiB documents back to back`);
    cpu = cpuSeconds(catalog.gatewayPid());
    flooded = await phase(catalog.gatewayUrl, requests, seconds, clients, flooders, document);
    flooded.gatewayCpuShare = (cpuSeconds(catalog.gatewayPid()) - cpu) / seconds;
    // What one such document costs on an otherwise idle gateway, sent one at a time.
    const times: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      const started = performance.now();
      await (await fetch(catalog.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: document })).text();
      times.push(performance.now() - started);
    }
    single = percentile(
      times.sort((a, b) => a - b),
      50,
    );
  } finally {
    await catalog.close();
  }
  const row = (name: string, p: Phase) =>
    `| ${name} | ${p.ordinary.answered} | ${p.ordinary.errors} | ${p.ordinary.perSecond.toFixed(0)} | ${p.ordinary.p50.toFixed(1)} | ${p.ordinary.p95.toFixed(1)} | ${p.ordinary.p99.toFixed(1)} | ${p.ordinary.max.toFixed(0)} |`;
  const added = (key: 'p50' | 'p95' | 'p99') => (flooded.ordinary[key] - alone.ordinary[key]).toFixed(1);
  const table = [
    `| ordinary reads (${clients} clients, cache off) | answered | errors | per s | p50 ms | p95 ms | p99 ms | max ms |`,
    '| --- | --: | --: | --: | --: | --: | --: | --: |',
    row('alone', alone),
    row(`during the flood (${flooders} clients)`, flooded),
    '',
    `Added delay: p50 +${added('p50')} ms, p95 +${added('p95')} ms, p99 +${added('p99')} ms. ` +
      `One such document alone is refused in ${single.toFixed(1)} ms (median of 30, round trip). ` +
      `The gateway used ${(alone.gatewayCpuShare! * 100).toFixed(0)} % of a core alone, ${(flooded.gatewayCpuShare! * 100).toFixed(0)} % during the flood. ` +
      `Flood: ${flooded.flood!.sent} documents of ${(document.length / 1024).toFixed(0)} KiB (${flooded.flood!.perSecond.toFixed(0)}/s, ${flooded.flood!.megabytesPerSecond.toFixed(0)} MiB/s), answered ${JSON.stringify(flooded.flood!.statuses)}.`,
    '',
  ].join('\n');
  console.log(`\n${table}`);
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const name = `flood-${stamp()}`;
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ date: new Date().toISOString(), store: 'PostgreSQL', seconds, clients, flooders, documentBytes: document.length, alone, flooded, singleDocumentMs: single }, null, 2)}\n`,
  );
  writeFileSync(join(dir, `${name}.md`), `${table}\n`);
  console.log(`written to bench/results/${name}.{json,md}`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
