// The load generator: a separate process (pinned to its own core by the
// runner) that drives one gateway with autocannon (keep-alive, a fixed number
// of connections, closed loop), first for a warm-up, then for the measured
// window, and prints one JSON line with the result.
//
//   tsx bench/loadWorker.ts      (then one job file path per stdin line)
//
// The worker stays up for one gateway: the runner writes the path of a job
// (a LoadConfig JSON file) per line and reads one result line back, so the
// runner can reset the gateway's peak RSS between workloads and no process
// start (with its TypeScript compilation) falls into a measurement.
//
// Every response is checked before it counts: status 200, no `errors`, and
// `data` equal to the expected data of the case that was sent. A wrong answer
// is an error however fast it came. RPS and latency percentiles are computed
// over correct responses only.
//
// Two hooks into autocannon 9 (pinned exactly in package.json) make that
// possible; both are plain properties of its client:
// - the response body is collected as raw bytes from the HTTP parser's body slices,
//   because autocannon concatenates body chunks into a string chunk by chunk,
//   which breaks a multi-byte UTF-8 character (all Chinese text) split across
//   two TCP reads and would count correct answers as wrong;
// - the next request is drawn at random (seeded per connection) from the
//   cases by weight, instead of autocannon's fixed round robin, so a mixed
//   workload has no lockstep pattern across connections.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { seededRandom } from './random';

export interface LoadCase {
  /** The request body (JSON) sent to POST /graphql. */
  body: string;
  /** The full expected response body; a response with the same bytes is correct without parsing. */
  expected: string;
  weight: number;
  workload: string;
}

export interface LoadConfig {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  timeoutSeconds: number;
  seed: number;
  cases: LoadCase[];
  /** Read before and after the measured window (subgraph counters). */
  counters: Record<string, string>;
  headers?: Record<string, string>;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

export interface PhaseResult {
  seconds: number;
  sent: number;
  responses: number;
  valid: number;
  invalid: { status: number; graphqlErrors: number; wrongData: number };
  connectionErrors: number;
  timeouts: number;
  rps: number;
  latencyMs: LatencySummary;
  firstInvalid: string | null;
}

export interface LoadResult {
  warmup: PhaseResult;
  measured: PhaseResult;
  /** Every request sent, including those still in flight when the run stopped (the gateway finishes them anyway). */
  totalSent: number;
  counters: { before: Record<string, unknown>; after: Record<string, unknown> };
}

interface CaseRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
  caseIndex: number;
}

// The parts of autocannon's client this worker hooks into (see the header comment).
interface ClientInternals {
  pipelinedRequests: { addBody(slice: Buffer): void };
  requestIterator: {
    requests: CaseRequest[];
    currentRequest: CaseRequest;
    currentRequestIndex: number;
    resetted: boolean;
    nextRequest(): CaseRequest;
    recordBody(request: CaseRequest, status: number, body: unknown, headers: unknown): void;
  };
  on(event: 'response', listener: (status: number, bytes: number, responseTime: number) => void): void;
  on(event: 'timeout' | 'connError' | 'request', listener: () => void): void;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => key in right && deepEqual(left[key], right[key]));
}

class Validator {
  private readonly expected: Buffer[];
  private readonly expectedData: unknown[];
  // Other byte forms of a correct answer (another server's JSON formatting),
  // learned after one full check so they too take the fast path.
  private readonly accepted: Buffer[][];

  constructor(cases: LoadCase[]) {
    this.expected = cases.map((entry) => Buffer.from(entry.expected));
    this.expectedData = cases.map((entry) => (JSON.parse(entry.expected) as { data: unknown }).data);
    this.accepted = cases.map(() => []);
  }

  check(caseIndex: number, status: number, body: Buffer): 'ok' | 'status' | 'errors' | 'data' {
    if (status !== 200) return 'status';
    if (body.equals(this.expected[caseIndex]!)) return 'ok';
    const accepted = this.accepted[caseIndex]!;
    if (accepted.some((form) => body.equals(form))) return 'ok';
    let parsed: { data?: unknown; errors?: unknown[] };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      return 'data';
    }
    if (parsed.errors && parsed.errors.length > 0) return 'errors';
    if (!deepEqual(parsed.data, this.expectedData[caseIndex])) return 'data';
    if (accepted.length < 4) accepted.push(Buffer.from(body));
    return 'ok';
  }
}

interface Tally {
  sent: number;
  responses: number;
  valid: number;
  status: number;
  graphqlErrors: number;
  wrongData: number;
  connectionErrors: number;
  timeouts: number;
  latencies: number[];
  firstInvalid: string | null;
}

const newTally = (): Tally => ({
  sent: 0,
  responses: 0,
  valid: 0,
  status: 0,
  graphqlErrors: 0,
  wrongData: 0,
  connectionErrors: 0,
  timeouts: 0,
  latencies: [],
  firstInvalid: null,
});

function summarize(tally: Tally, seconds: number): PhaseResult {
  const sorted = Float64Array.from(tally.latencies).sort();
  const mean = sorted.length ? tally.latencies.reduce((sum, value) => sum + value, 0) / sorted.length : NaN;
  return {
    seconds,
    sent: tally.sent,
    responses: tally.responses,
    valid: tally.valid,
    invalid: { status: tally.status, graphqlErrors: tally.graphqlErrors, wrongData: tally.wrongData },
    connectionErrors: tally.connectionErrors,
    timeouts: tally.timeouts,
    rps: tally.valid / seconds,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean,
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    },
    firstInvalid: tally.firstInvalid,
  };
}

async function readCounters(counters: Record<string, string>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(counters).map(async ([name, url]) => [name, await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()] as const),
  );
  return Object.fromEntries(entries);
}

/**
 * One continuous closed-loop run: the warm-up and the measured window are
 * two time slices of it, so the window starts in steady state (connections
 * open, gateway busy) and nothing has to drain in between. A response counts
 * in the slice it completes in; the subgraph counters are read at the
 * window's two edges, so in-flight work crossing an edge evens out.
 */
async function runJob(path: string): Promise<LoadResult> {
  const config = JSON.parse(readFileSync(path, 'utf8')) as LoadConfig;
  const validator = new Validator(config.cases);
  const url = new URL(config.url);
  const weights = config.cases.map((entry) => entry.weight);
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, weight, index) => (cumulative[index] = (sum + weight) / totalWeight), 0);
  const requests: CaseRequest[] = config.cases.map((entry, caseIndex) => ({
    method: 'POST',
    path: url.pathname,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...config.headers },
    body: entry.body,
    caseIndex,
  }));
  const tallies = { warmup: newTally(), window: newTally(), after: newTally() };
  let phase: keyof typeof tallies = 'warmup';
  let clientNumber = 0;

  const setupClient = (client: unknown): void => {
    const internals = client as ClientInternals;
    const random = seededRandom(config.seed * 1000 + clientNumber++);
    const draw = (): number => {
      const roll = random.next();
      const index = cumulative.findIndex((bound) => roll < bound);
      return index === -1 ? cumulative.length - 1 : index;
    };
    const iterator = internals.requestIterator;
    const first = draw();
    iterator.currentRequestIndex = first;
    iterator.currentRequest = iterator.requests[first]!;
    iterator.nextRequest = function nextRequest(this: ClientInternals['requestIterator']) {
      this.resetted = false;
      this.currentRequestIndex = draw();
      this.currentRequest = this.requests[this.currentRequestIndex]!;
      return this.currentRequest;
    };
    // autocannon installs its parser callbacks after setupClient, so the hook
    // sits one step later, where the parser hands each body slice to its queue.
    let chunks: Buffer[] = [];
    internals.pipelinedRequests.addBody = (slice: Buffer) => {
      chunks.push(slice);
    };
    let lastOk = false;
    iterator.recordBody = (request: CaseRequest, status: number) => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = [];
      const verdict = validator.check(request.caseIndex, status, body);
      const tally = tallies[phase];
      tally.responses += 1;
      lastOk = verdict === 'ok';
      if (verdict === 'ok') tally.valid += 1;
      else {
        if (verdict === 'status') tally.status += 1;
        else if (verdict === 'errors') tally.graphqlErrors += 1;
        else tally.wrongData += 1;
        tally.firstInvalid ??= `${config.cases[request.caseIndex]!.workload} HTTP ${status}: ${body.toString('utf8').slice(0, 600)}`;
      }
    };
    internals.on('response', (_status, _bytes, responseTime) => {
      if (lastOk && phase === 'window') tallies.window.latencies.push(responseTime);
    });
    internals.on('request', () => {
      tallies[phase].sent += 1;
    });
    // A timed-out or broken connection leaves a partial body behind.
    internals.on('timeout', () => {
      chunks = [];
      tallies[phase].timeouts += 1;
    });
    internals.on('connError', () => {
      chunks = [];
      tallies[phase].connectionErrors += 1;
    });
  };

  let before: Record<string, unknown> = {};
  let after: Record<string, unknown> = {};
  let windowStarted = 0n;
  let windowEnded = 0n;
  const edges: Promise<void>[] = [];
  const startWindow = setTimeout(() => {
    phase = 'window';
    windowStarted = process.hrtime.bigint();
    edges.push(readCounters(config.counters).then((counters) => void (before = counters)));
  }, config.warmupSeconds * 1000);
  const endWindow = setTimeout(
    () => {
      phase = 'after';
      windowEnded = process.hrtime.bigint();
      edges.push(readCounters(config.counters).then((counters) => void (after = counters)));
    },
    (config.warmupSeconds + config.durationSeconds) * 1000,
  );
  try {
    // A little past the window, so the window's end never coincides with autocannon closing its connections.
    await autocannon({
      url: config.url,
      connections: config.connections,
      duration: config.warmupSeconds + config.durationSeconds + 0.2,
      timeout: config.timeoutSeconds,
      pipelining: 1,
      requests,
      setupClient: setupClient as autocannon.Options['setupClient'],
    });
  } finally {
    clearTimeout(startWindow);
    clearTimeout(endWindow);
  }
  await Promise.all(edges);
  const windowSeconds = windowEnded > windowStarted ? Number(windowEnded - windowStarted) / 1e9 : config.durationSeconds;
  return {
    warmup: summarize(tallies.warmup, config.warmupSeconds),
    measured: summarize(tallies.window, windowSeconds),
    totalSent: tallies.warmup.sent + tallies.window.sent + tallies.after.sent,
    counters: { before, after },
  };
}

async function main(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    process.stdout.write(`${JSON.stringify(await runJob(line.trim()))}\n`);
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
