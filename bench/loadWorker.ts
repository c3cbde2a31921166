// The load generator: a separate process (pinned to its own core by the
// runner) that drives one gateway with autocannon (keep-alive, a fixed number
// of connections, closed loop), first for a warm-up, then for the measured
// window, and prints one JSON line with the result.
//
//   tsx bench/loadWorker.ts <config.json>
//
// Every response is checked before it counts: status 200, no `errors`, and
// `data` equal to the expected data of the case that was sent. A wrong answer
// is an error however fast it came. RPS and latency percentiles are computed
// over correct responses only.
//
// Two hooks into autocannon 9 (pinned exactly in package.json) make that
// possible; both are plain properties of its client:
// - the response body is collected as raw bytes from the HTTP parser,
//   because autocannon concatenates body chunks into a string chunk by chunk,
//   which breaks a multi-byte UTF-8 character (all Chinese text) split across
//   two TCP reads and would count correct answers as wrong;
// - the next request is drawn at random (seeded per connection) from the
//   cases by weight, instead of autocannon's fixed round robin, so a mixed
//   workload has no lockstep pattern across connections.
import { readFileSync } from 'node:fs';
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
  /** autocannon's own latency over every response, for comparison. */
  allLatencyMs: { p50: number; p99: number };
  firstInvalid: string | null;
}

export interface LoadResult {
  warmup: PhaseResult;
  measured: PhaseResult;
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
  parser: Record<number, unknown> & { constructor: { kOnBody: number } };
  requestIterator: {
    requests: CaseRequest[];
    currentRequest: CaseRequest;
    currentRequestIndex: number;
    resetted: boolean;
    nextRequest(): CaseRequest;
    recordBody(request: CaseRequest, status: number, body: unknown, headers: unknown): void;
  };
  on(event: 'response', listener: (status: number, bytes: number, responseTime: number) => void): void;
  on(event: 'timeout' | 'connError', listener: () => void): void;
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

async function runPhase(config: LoadConfig, validator: Validator, seconds: number, seedOffset: number): Promise<PhaseResult> {
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
  const latencies: number[] = [];
  const tally = { responses: 0, valid: 0, status: 0, graphqlErrors: 0, wrongData: 0 };
  let firstInvalid: string | null = null;
  let clientNumber = 0;

  const setupClient = (client: unknown): void => {
    const internals = client as ClientInternals;
    const random = seededRandom(config.seed * 1000 + seedOffset * 100 + clientNumber++);
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
    let chunks: Buffer[] = [];
    const kOnBody = internals.parser.constructor.kOnBody;
    internals.parser[kOnBody] = (buffer: Buffer, start: number, length: number) => {
      chunks.push(buffer.subarray(start, start + length));
    };
    let lastOk = false;
    iterator.recordBody = (request: CaseRequest, status: number) => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      chunks = [];
      const verdict = validator.check(request.caseIndex, status, body);
      tally.responses += 1;
      lastOk = verdict === 'ok';
      if (verdict === 'ok') tally.valid += 1;
      else {
        if (verdict === 'status') tally.status += 1;
        else if (verdict === 'errors') tally.graphqlErrors += 1;
        else tally.wrongData += 1;
        firstInvalid ??= `${config.cases[request.caseIndex]!.workload} HTTP ${status}: ${body.toString('utf8').slice(0, 600)}`;
      }
    };
    internals.on('response', (_status, _bytes, responseTime) => {
      if (lastOk) latencies.push(responseTime);
    });
    // A timed-out or broken connection leaves a partial body behind.
    internals.on('timeout', () => {
      chunks = [];
    });
    internals.on('connError', () => {
      chunks = [];
    });
  };

  const started = process.hrtime.bigint();
  const result = await autocannon({
    url: config.url,
    connections: config.connections,
    duration: seconds,
    timeout: config.timeoutSeconds,
    pipelining: 1,
    requests,
    setupClient: setupClient as autocannon.Options['setupClient'],
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  const mean = latencies.length ? latencies.reduce((sum, value) => sum + value, 0) / latencies.length : NaN;
  // autocannon's own duration is the configured window; requests still in
  // flight when it ends are abandoned and not counted as responses.
  const window = Math.min(elapsed, seconds) || seconds;
  return {
    seconds: window,
    sent: result.requests.sent,
    responses: tally.responses,
    valid: tally.valid,
    invalid: { status: tally.status, graphqlErrors: tally.graphqlErrors, wrongData: tally.wrongData },
    connectionErrors: result.errors - result.timeouts,
    timeouts: result.timeouts,
    rps: tally.valid / window,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean,
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    },
    allLatencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    firstInvalid,
  };
}

async function readCounters(counters: Record<string, string>): Promise<Record<string, unknown>> {
  const entries = await Promise.all(
    Object.entries(counters).map(async ([name, url]) => [name, await (await fetch(url, { signal: AbortSignal.timeout(5000) })).json()] as const),
  );
  return Object.fromEntries(entries);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LoadConfig;
  const validator = new Validator(config.cases);
  const warmup = await runPhase(config, validator, config.warmupSeconds, 1);
  // Let abandoned warm-up requests finish so they do not land in the window.
  await settle();
  const before = await readCounters(config.counters);
  const measured = await runPhase(config, validator, config.durationSeconds, 2);
  await settle();
  const after = await readCounters(config.counters);
  const result: LoadResult = { warmup, measured, counters: { before, after } };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: Error) => {
  console.error(err.stack ?? err);
  process.exit(1);
});
