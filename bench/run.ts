// npm run bench [-- --quick] [--duration 30] [--warmup 5] [--connections 32]
//               [--only ours,stock,...] [--workloads catalog20,...] [--fresh]
//               [--seed 42] [--catalog full|small] [--ours-env KEY=VALUE ...]
//               [--cpu-prof] [--readme]
//               [--report bench/results/<time>.json]   (re-render a run's markdown and targets)
//
// Compares gateways over the same subgraphs and the same supergraph file, one
// after another in one run:
//   ours        our gateway (gateway/index.ts) in production mode, response cache off
//   ours-cache  the same with the response cache on
//   stock       stock @apollo/gateway + @apollo/server, default settings (bench/stockGateway.ts)
//   hive        Hive Gateway from npm, installed for the benchmark only (bench/hiveGateway.ts)
//   hive-rust   the same with its Rust query planner (@graphql-hive/router-runtime, HIVE_ROUTER_RUNTIME=true)
// over two graphs in turn: the catalog (our three subgraphs and their
// PostgreSQL databases: every workload but one) and, for `gatewayBound`, four
// in-memory subgraphs (bench/gatewayBound/) that leave the gateway's own work
// as the cost. Each gateway runs pinned to core 0, the load generator
// (bench/loadWorker.ts) to core 1; the subgraphs and PostgreSQL share both.
// Results go to bench/results/<time>.{json,md}; see bench/README.md.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { composeSupergraph } from '../gateway/supergraph';
import { signBenchIdentity } from './benchIdentity';
import { ensureBenchCatalog, type CatalogProfile } from './generateCatalog';
import { composeGatewayBoundSupergraph } from './gatewayBound/supergraph';
import { GATEWAY_BOUND_SUBGRAPHS, type GatewayBoundSubgraph } from './gatewayBound/subgraphs';
import { ensureHiveGateway, hiveCommand, routerRuntimeProblem, writeHiveConfig, type HiveInstall } from './hiveGateway';
import type { LoadCase, LoadConfig, LoadResult } from './loadWorker';
import { profileMarkdown, summarizeProfile } from './profileSummary';
import {
  checkTargets,
  runMarkdown,
  VARIANT_TITLES,
  VARIANTS,
  type GraphName,
  type RunResult,
  type VariantId,
  type VariantResult,
  type WorkloadResult,
} from './report';
import { freePort } from '../test/support/catalogHarness';
import {
  mapLimit,
  buildCases,
  firstDifference,
  gatewayBoundCases,
  isBaseWorkload,
  maskCursors,
  BASE_WORKLOADS,
  MIXED_WEIGHTS,
  Oracle,
  requestBody,
  WORKLOADS,
  zipfWeights,
  type BenchCase,
  type CaseSet,
  type Workload,
} from './workloads';

const root = join(__dirname, '..');
const resultsDir = join(__dirname, 'results');

interface Options {
  quick: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  timeoutSeconds: number;
  variants: VariantId[];
  workloads: Workload[];
  fresh: boolean;
  seed: number;
  catalog: CatalogProfile;
  oursEnv: Record<string, string>;
  cpuProf: boolean;
  readme: boolean;
  report?: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      timeout: { type: 'string', default: '10' },
      only: { type: 'string' },
      workloads: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      seed: { type: 'string', default: '42' },
      catalog: { type: 'string', default: 'full' },
      'ours-env': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'boolean', default: false },
      readme: { type: 'boolean' },
      report: { type: 'string' },
    },
  });
  const list = <T extends string>(text: string | undefined, allowed: readonly T[], what: string, fallback: readonly T[] = allowed): T[] => {
    if (!text) return [...fallback];
    const items = text.split(',').map((item) => item.trim()) as T[];
    for (const item of items) if (!allowed.includes(item)) throw new Error(`unknown ${what} "${item}"; one of ${allowed.join(', ')}`);
    return items;
  };
  const number = (text: string | undefined, fallback: number, what: string) => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${what} must be a positive number`);
    return value;
  };
  if (values.catalog !== 'full' && values.catalog !== 'small') throw new Error('--catalog must be full or small');
  const oursEnv: Record<string, string> = {};
  for (const entry of values['ours-env']) {
    const at = entry.indexOf('=');
    if (at < 1) throw new Error(`--ours-env takes KEY=VALUE, got "${entry}"`);
    oursEnv[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return {
    quick: values.quick,
    durationSeconds: number(values.duration, values.quick ? 2.5 : 30, 'duration'),
    warmupSeconds: number(values.warmup, values.quick ? 1 : 5, 'warmup'),
    connections: number(values.connections, values.quick ? 16 : 32, 'connections'),
    timeoutSeconds: number(values.timeout, 10, 'timeout'),
    variants: list(values.only, VARIANTS, 'variant'),
    // The mixed workload only blends the others: a quick look leaves it out.
    workloads: list(values.workloads, WORKLOADS, 'workload', values.quick ? WORKLOADS.filter((workload) => workload !== 'mixed') : WORKLOADS),
    fresh: values.fresh,
    seed: Number(values.seed),
    catalog: values.catalog,
    oursEnv,
    cpuProf: values['cpu-prof'],
    // Only a complete full run replaces the README's table unless asked.
    readme: values.readme ?? (!values.quick && !values.only && !values.workloads),
    report: values.report,
  };
}

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

const running = new Set<ChildProcess>();

interface Managed {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<number | string | null>;
}

function startProcess(name: string, command: string[], env: NodeJS.ProcessEnv, logDir: string, core: number | null): Managed {
  const logPath = join(logDir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  const argv = core === null ? command : ['taskset', '-c', String(core), ...command];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: root, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(signal ?? code);
    });
  });
  return { name, child, logPath, exited };
}

async function stopProcess(managed: Managed, graceMs = 15_000): Promise<void> {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
  managed.child.kill('SIGTERM');
  const timer = setTimeout(() => managed.child.kill('SIGKILL'), graceMs);
  await managed.exited;
  clearTimeout(timer);
}

function logTail(managed: Managed, lines = 15): string {
  try {
    return readFileSync(managed.logPath, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function tsxCommand(file: string, args: string[] = [], nodeArgs: string[] = []): string[] {
  return [process.execPath, ...nodeArgs, '--import', 'tsx', join(root, file), ...args];
}

async function waitFor(what: string, managed: Managed, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void managed.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited during start:\n${logTail(managed)}`);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000} s:\n${logTail(managed)}`);
}

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: response.status, text: await response.text() };
}

const answersGraphQL = (url: string) => async () => {
  const { status, text } = await post(url, JSON.stringify({ query: '{ __typename }' }));
  return status === 200 && text.includes('"Query"');
};

// --- peak RSS of a process and its children, from /proc (Linux)

function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${pids[i]}/task`)) {
        const children = readFileSync(`/proc/${pids[i]}/task/${task}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return pids;
}

/** Resets VmHWM (the kernel's peak RSS) so each workload reports its own peak. */
function resetPeakRss(pid: number): void {
  for (const each of processTree(pid)) {
    try {
      writeFileSync(`/proc/${each}/clear_refs`, '5');
    } catch {
      // not permitted: the peak then covers the whole run so far
    }
  }
}

function peakRssMiB(pid: number): number {
  let kib = 0;
  for (const each of processTree(pid)) {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${each}/status`, 'utf8'));
      if (match) kib += Number(match[1]);
    } catch {
      // gone
    }
  }
  return kib / 1024;
}

// --- CPU time from /proc, to show where each operation's CPU went

const CLOCK_TICKS = 100; // USER_HZ: 100 on Linux

/** User + system CPU seconds of a process and its children so far. */
function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const each of processTree(pid)) {
    try {
      // The command name may hold spaces: fields count from after its closing parenthesis.
      const fields = readFileSync(`/proc/${each}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLOCK_TICKS;
}

/**
 * Waits until the gateway and the subgraphs have finished the requests a
 * load run left in flight (autocannon stops without draining), so CPU time
 * is charged to the workload that caused it.
 */
async function waitIdle(pids: number[], maxMs = 5000): Promise<void> {
  const total = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const deadline = Date.now() + maxMs;
  let last = total();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = total();
    if (now - last <= 0.03) return;
    last = now;
  }
}

/** Busy and total CPU ticks of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const values = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = values[3]! + (values[4] ?? 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------
// Load worker
// ---------------------------------------------------------------------------

class LoadWorker {
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];
  private readonly managed: Managed;

  constructor(logDir: string, core: number | null) {
    const argv = core === null ? tsxCommand('bench/loadWorker.ts') : ['taskset', '-c', String(core), ...tsxCommand('bench/loadWorker.ts')];
    const fd = openSync(join(logDir, 'load-worker.log'), 'a');
    const child = spawn(argv[0]!, argv.slice(1), { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['pipe', 'pipe', fd] });
    closeSync(fd);
    running.add(child);
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    this.managed = { name: 'load-worker', child, logPath: join(logDir, 'load-worker.log'), exited };
    this.lines = createInterface({ input: child.stdout! });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
  }

  async run(configPath: string): Promise<LoadResult> {
    const line = new Promise<string>((resolve, reject) => {
      this.pending.push(resolve);
      void this.managed.exited.then(() => reject(new Error(`the load worker exited:\n${logTail(this.managed)}`)));
    });
    this.managed.child.stdin!.write(`${configPath}\n`);
    return JSON.parse(await line) as LoadResult;
  }

  async close(): Promise<void> {
    this.managed.child.stdin!.end();
    await Promise.race([this.managed.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await stopProcess(this.managed, 1000);
    running.delete(this.managed.child);
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/** One graph the gateways are run over: its subgraph processes, its supergraph file and its requests. */
interface Topology {
  graph: GraphName;
  counters: Record<string, string>;
  supergraphPath: string;
  subgraphSecret: string;
  identityHeader: string;
  logDir: string;
  gatewayCore: number | null;
  loadCore: number | null;
  subgraphPids: Record<string, number>;
  /** Every request of this graph's workloads, each with its checked expected answer. */
  cases: BenchCase[];
  workloads: Workload[];
  /** Set for our gateway on this graph before --ours-env (which may override it). */
  oursEnv: Record<string, string>;
}

interface VariantLaunch {
  command: string[];
  env: NodeJS.ProcessEnv;
  /** What the results record (secrets left out). */
  shownEnv: Record<string, string>;
  counters: Record<string, string>;
  profileDir?: string;
  /** Once it answers: why the process is not the gateway it should be (read from its log), or null. */
  startProblem?: (log: string) => string | null;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Nothing from the caller's shell may change a gateway's behaviour unnoticed.
  for (const key of ['NODE_OPTIONS', 'PORT', 'HOST', 'SUPERGRAPH_PATH', 'REDIS_URL', 'RESPONSE_CACHE', 'LOG_LEVEL', 'HIVE_ROUTER_RUNTIME']) delete env[key];
  return env;
}

async function launchFor(
  id: VariantId,
  topology: Topology,
  options: Options,
  port: number,
  hive: HiveInstall | null,
): Promise<VariantLaunch | { notRun: string }> {
  const common = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) };
  switch (id) {
    case 'ours':
    case 'ours-cache': {
      const shownEnv: Record<string, string> = {
        ...common,
        SUPERGRAPH_PATH: topology.supergraphPath,
        RESPONSE_CACHE: id === 'ours-cache' ? 'on' : 'off',
        // The limiter stays on (its cost is part of the figure) but must not
        // refuse a load that comes from one address by design.
        RATE_LIMIT_ANONYMOUS: '1000000/s,burst=1000000',
        ...topology.oursEnv,
        ...options.oursEnv,
      };
      const profileDir = options.cpuProf ? join(topology.logDir, `cpu-profile-${id}`) : undefined;
      return {
        command: tsxCommand('gateway/index.ts', [], profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        env: { ...baseEnv(), ...shownEnv, AUTH_SECRET: randomBytes(32).toString('hex'), SUBGRAPH_SECRET: topology.subgraphSecret },
        shownEnv: { ...shownEnv, AUTH_SECRET: '(random)', SUBGRAPH_SECRET: '(bench)' },
        counters: topology.counters,
        profileDir,
      };
    }
    case 'stock':
      return {
        command: tsxCommand('bench/stockGateway.ts'),
        env: { ...baseEnv(), ...common, SUPERGRAPH_PATH: topology.supergraphPath, BENCH_IDENTITY_HEADER: topology.identityHeader },
        shownEnv: { ...common, SUPERGRAPH_PATH: topology.supergraphPath, BENCH_IDENTITY_HEADER: '(static, anonymous)' },
        counters: topology.counters,
      };
    case 'hive':
    case 'hive-rust': {
      if (!hive?.ok) return { notRun: hive ? hive.reason : 'not installed' };
      const routerRuntime = id === 'hive-rust' ? hive.routerRuntime : null;
      if (id === 'hive-rust' && !routerRuntime?.ok) return { notRun: routerRuntime ? routerRuntime.reason : 'router runtime not installed' };
      const config = writeHiveConfig(topology.logDir, topology.identityHeader);
      const runtimeEnv: Record<string, string> = routerRuntime ? { HIVE_ROUTER_RUNTIME: 'true' } : {};
      return {
        command: hiveCommand(hive, topology.supergraphPath, config, port),
        env: { ...baseEnv(), NODE_ENV: 'production', ...runtimeEnv },
        shownEnv: {
          NODE_ENV: 'production',
          ...runtimeEnv,
          version: hive.version,
          ...(routerRuntime?.ok ? { routerRuntimeVersion: routerRuntime.version } : {}),
        },
        counters: topology.counters,
        startProblem: routerRuntime ? routerRuntimeProblem : undefined,
      };
    }
  }
}

function casesFor(workload: Workload, cases: BenchCase[]): LoadCase[] {
  const weights = zipfWeights(cases);
  const toLoad = (entry: BenchCase, weight: number): LoadCase => ({ body: requestBody(entry), expected: entry.expected!, weight, workload: entry.workload });
  if (workload !== 'mixed') return cases.filter((entry) => entry.workload === workload).map((entry) => toLoad(entry, weights.get(entry)!));
  return cases.flatMap((entry) => (isBaseWorkload(entry.workload) ? [toLoad(entry, MIXED_WEIGHTS[entry.workload] * weights.get(entry)!)] : []));
}

function perOp(load: LoadResult, field: 'requests' | 'peerRequests' | 'statements'): number {
  let delta = 0;
  for (const [name, after] of Object.entries(load.counters.after)) {
    const before = load.counters.before[name] as Record<string, number>;
    delta += (after as Record<string, number>)[field]! - before[field]!;
  }
  // In steady state as many operations start as finish in the window, so
  // the work crossing either edge evens out.
  return load.measured.responses > 0 ? delta / load.measured.responses : NaN;
}

async function verify(url: string, cases: BenchCase[]): Promise<VariantResult['verification']> {
  let mismatches = 0;
  let firstMismatch: string | null = null;
  await mapLimit(cases, 4, async (entry) => {
    const { status, text } = await post(url, requestBody(entry));
    let problem: string | null;
    if (status !== 200) problem = `HTTP ${status}: ${text.slice(0, 300)}`;
    else {
      const body = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
      if (body.errors?.length) problem = `errors: ${JSON.stringify(body.errors).slice(0, 300)}`;
      else problem = firstDifference(body.data, (JSON.parse(entry.expected!) as { data: unknown }).data);
    }
    if (problem) {
      mismatches += 1;
      firstMismatch ??= `${entry.label}: ${problem}`;
    }
  });
  return { cases: cases.length, mismatches, firstMismatch };
}

interface Alone {
  subgraphRequests: number;
  peerRequests: number;
  statements: number;
}

async function readAllCounters(counters: Record<string, string>): Promise<Alone> {
  const values = await Promise.all(
    Object.values(counters).map(async (url) => (await (await fetch(url)).json()) as { requests: number; peerRequests: number; statements: number }),
  );
  return values.reduce(
    (sum, value) => ({
      subgraphRequests: sum.subgraphRequests + value.requests,
      peerRequests: sum.peerRequests + value.peerRequests,
      statements: sum.statements + value.statements,
    }),
    {
      subgraphRequests: 0,
      peerRequests: 0,
      statements: 0,
    },
  );
}

/**
 * Subgraph requests and SQL statements of one operation alone: the most
 * requested few of each workload sent one at a time on an idle gateway,
 * weighted as the load weights them. Exact, unlike the figures under load
 * (which divide counters by responses across a window's edges), and free of
 * in-flight deduplication; the gateway's cache is still cold here.
 */
async function measureAlone(
  url: string,
  cases: BenchCase[],
  counters: Record<string, string>,
  workloads: Workload[],
  perWorkloadSample: number,
): Promise<Partial<Record<Workload, Alone>>> {
  const weights = zipfWeights(cases);
  const perWorkload: Partial<Record<Workload, Alone>> = {};
  for (const workload of new Set(cases.map((entry) => entry.workload))) {
    if (!workloads.includes(workload) && !(workloads.includes('mixed') && isBaseWorkload(workload))) continue;
    const sample = cases.filter((entry) => entry.workload === workload).slice(0, perWorkloadSample);
    const total = sample.reduce((sum, entry) => sum + weights.get(entry)!, 0);
    const sum: Alone = { subgraphRequests: 0, peerRequests: 0, statements: 0 };
    for (const entry of sample) {
      const before = await readAllCounters(counters);
      await post(url, requestBody(entry));
      const after = await readAllCounters(counters);
      const share = weights.get(entry)! / total;
      sum.subgraphRequests += (after.subgraphRequests - before.subgraphRequests) * share;
      sum.peerRequests += (after.peerRequests - before.peerRequests) * share;
      sum.statements += (after.statements - before.statements) * share;
    }
    perWorkload[workload] = sum;
  }
  if (workloads.includes('mixed')) {
    const shares = BASE_WORKLOADS.map((workload) => MIXED_WEIGHTS[workload] / 100);
    perWorkload.mixed = BASE_WORKLOADS.reduce<Alone>(
      (sum, workload, index) => ({
        subgraphRequests: sum.subgraphRequests + perWorkload[workload]!.subgraphRequests * shares[index]!,
        peerRequests: sum.peerRequests + perWorkload[workload]!.peerRequests * shares[index]!,
        statements: sum.statements + perWorkload[workload]!.statements * shares[index]!,
      }),
      { subgraphRequests: 0, peerRequests: 0, statements: 0 },
    );
  }
  return perWorkload;
}

function variantTitle(id: VariantId, hive: HiveInstall | null): string {
  if (id === 'hive' && hive?.ok) return `Hive Gateway ${hive.version}`;
  if (id === 'hive-rust' && hive?.ok && hive.routerRuntime?.ok) return `Hive Gateway ${hive.version}, Rust query planner`;
  return VARIANT_TITLES[id];
}

async function runVariant(
  id: VariantId,
  topology: Topology,
  options: Options,
  hive: HiveInstall | null,
): Promise<{ result: VariantResult; profile?: RunResult['profile'] }> {
  const { cases, graph } = topology;
  const title = variantTitle(id, hive);
  const port = await freePort();
  const launch = await launchFor(id, topology, options, port, hive);
  if ('notRun' in launch) {
    log(`${title}: not run (${launch.notRun})`);
    return { result: { id, title, graph, status: 'not run', reason: launch.notRun, workloads: [] } };
  }
  const url = `http://127.0.0.1:${port}/graphql`;
  log(`${title}: starting on ${url}${topology.gatewayCore === null ? '' : ` (core ${topology.gatewayCore})`}`);
  // A log per graph: what the start check reads must be this start's.
  const managed = startProcess(graph === 'catalog' ? id : `${id}-${graph}`, launch.command, launch.env, topology.logDir, topology.gatewayCore);
  const result: VariantResult = {
    id,
    title,
    graph,
    status: 'ok',
    command: launch.command.map((part) => part.replace(root, '.')).join(' '),
    env: launch.shownEnv,
    workloads: [],
  };
  const worker = new LoadWorker(topology.logDir, topology.loadCore);
  try {
    await waitFor(title, managed, answersGraphQL(url));
    const startProblem = launch.startProblem?.(readFileSync(managed.logPath, 'utf8'));
    if (startProblem) throw new Error(startProblem);
    // With the cache cold these equal the cache-off figures: a quick look skips them.
    const alone = options.quick && id === 'ours-cache' ? {} : await measureAlone(url, cases, launch.counters, topology.workloads, options.quick ? 2 : 5);
    // A sample of every workload, for an early, readable diagnosis; the load checks every response anyway.
    result.verification = await verify(
      url,
      cases.filter((_entry, index) => index % (options.quick ? 16 : 6) === 0),
    );
    if (result.verification!.mismatches)
      log(`${title}: ${result.verification!.mismatches} wrong answers before the load, e.g. ${result.verification!.firstMismatch}`);
    let idleCpu: { gateway: number; subgraphs: number[] } | null = null;
    for (const workload of topology.workloads) {
      const config: LoadConfig = {
        url,
        connections: options.connections,
        warmupSeconds: options.warmupSeconds,
        durationSeconds: options.durationSeconds,
        timeoutSeconds: options.timeoutSeconds,
        seed: options.seed,
        cases: casesFor(workload, cases),
        counters: launch.counters,
      };
      const configPath = join(topology.logDir, `load-${id}-${workload}.json`);
      writeFileSync(configPath, JSON.stringify(config));
      resetPeakRss(managed.child.pid!);
      const subgraphNames = Object.keys(topology.subgraphPids);
      const busyPids = [managed.child.pid!, ...Object.values(topology.subgraphPids)];
      const cpuNow = () => ({ gateway: cpuSeconds(managed.child.pid!), subgraphs: subgraphNames.map((name) => cpuSeconds(topology.subgraphPids[name]!)) });
      // The idle point after one workload is the idle point before the next.
      if (!idleCpu) {
        await waitIdle(busyPids);
        idleCpu = cpuNow();
      }
      const cpuBefore = idleCpu;
      const machineBefore = machineTicks();
      const load = await worker.run(configPath);
      const machineAfter = machineTicks();
      await waitIdle(busyPids);
      const cpuAfter = cpuNow();
      idleCpu = cpuAfter;
      rmSync(configPath, { force: true });
      // From idle to idle: the CPU of every request the job sent, finished or abandoned.
      const msPerOp = (seconds: number) => (load.totalSent > 0 ? (seconds * 1000) / load.totalSent : NaN);
      const measured = load.measured;
      // JSON carries NaN (no correct response at all) as null.
      const num = (value: number | null) => (value === null ? NaN : value);
      const row: WorkloadResult = {
        workload,
        rps: measured.rps,
        latencyMs: {
          p50: num(measured.latencyMs.p50),
          p95: num(measured.latencyMs.p95),
          p99: num(measured.latencyMs.p99),
          mean: num(measured.latencyMs.mean),
          max: num(measured.latencyMs.max),
        },
        errors: measured.invalid.status + measured.invalid.graphqlErrors + measured.invalid.wrongData + measured.connectionErrors + measured.timeouts,
        errorDetail: { ...measured.invalid, connectionErrors: measured.connectionErrors, timeouts: measured.timeouts },
        sent: measured.sent,
        responses: measured.responses,
        valid: measured.valid,
        seconds: measured.seconds,
        peakRssMiB: peakRssMiB(managed.child.pid!),
        subgraphRequestsPerOp: perOp(load, 'requests'),
        peerRequestsPerOp: perOp(load, 'peerRequests'),
        sqlPerOp: perOp(load, 'statements'),
        warmup: {
          seconds: load.warmup.seconds,
          valid: load.warmup.valid,
          errors: load.warmup.responses - load.warmup.valid + load.warmup.connectionErrors + load.warmup.timeouts,
        },
        firstInvalid: measured.firstInvalid ?? load.warmup.firstInvalid,
        alone: {
          subgraphRequestsPerOp: alone[workload]?.subgraphRequests ?? NaN,
          peerRequestsPerOp: alone[workload]?.peerRequests ?? NaN,
          sqlPerOp: alone[workload]?.statements ?? NaN,
        },
        cpu: {
          gatewayMsPerOp: msPerOp(cpuAfter.gateway - cpuBefore.gateway),
          subgraphMsPerOp: Object.fromEntries(subgraphNames.map((name, index) => [name, msPerOp(cpuAfter.subgraphs[index]! - cpuBefore.subgraphs[index]!)])),
          machineBusy: (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total),
        },
      };
      result.workloads.push(row);
      log(
        `${title} / ${workload}: ${row.rps.toFixed(0)} RPS, p50 ${row.latencyMs.p50.toFixed(1)} ms, p99 ${row.latencyMs.p99.toFixed(1)} ms, ` +
          `${row.errors} errors (${JSON.stringify(row.errorDetail)}), ${row.peakRssMiB.toFixed(0)} MiB, ` +
          `${row.subgraphRequestsPerOp.toFixed(2)} subgraph req/op, ${row.sqlPerOp.toFixed(2)} SQL/op` +
          (row.firstInvalid ? `\n    first wrong answer: ${row.firstInvalid.slice(0, 300)}` : ''),
      );
    }
    result.processes = processTree(managed.child.pid!).length;
  } catch (err) {
    result.status = 'failed';
    result.reason = (err as Error).message;
    log(`${title}: failed: ${result.reason}`);
  } finally {
    await worker.close();
    await stopProcess(managed);
  }
  let profile: RunResult['profile'];
  if (launch.profileDir && existsSync(launch.profileDir)) {
    const file = readdirSync(launch.profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) {
      const path = join(launch.profileDir, file);
      const profileTitle = `CPU profile: ${title}, ${options.workloads.join(' + ')} (node --cpu-prof, gateway process)`;
      profile = { title: profileTitle, file: path, markdown: profileMarkdown(summarizeProfile(path), profileTitle) };
      log(`${title}: CPU profile ${path}`);
    }
  }
  return { result, profile };
}

/**
 * The expected responses: the stock gateway's answers, accepted only where
 * their data equals the SQL oracle's. The reference gateway starts while the
 * subgraphs start and the oracle computes (it needs neither to come up).
 */
function startReference(
  port: number,
  topology: Pick<Topology, 'supergraphPath' | 'identityHeader' | 'logDir'>,
): { managed: Managed; url: string; ready: Promise<void> } {
  const url = `http://127.0.0.1:${port}/graphql`;
  const managed = startProcess(
    'reference-stock',
    tsxCommand('bench/stockGateway.ts'),
    {
      ...baseEnv(),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      SUPERGRAPH_PATH: topology.supergraphPath,
      BENCH_IDENTITY_HEADER: topology.identityHeader,
    },
    topology.logDir,
    null,
  );
  const ready = waitFor('reference gateway', managed, answersGraphQL(url));
  // Awaited later; a failure meanwhile must not count as unhandled.
  ready.catch(() => undefined);
  return { managed, url, ready };
}

async function captureReference(reference: { url: string; ready: Promise<void> }, set: CaseSet): Promise<BenchCase[]> {
  await reference.ready;
  const fill = async (cases: BenchCase[]) => {
    const problems: string[] = [];
    await mapLimit(cases, 4, async (entry) => {
      const { status, text } = await post(reference.url, requestBody(entry));
      const body = (status === 200 ? JSON.parse(text) : {}) as { data?: unknown; errors?: unknown[] };
      const problem =
        status !== 200
          ? `HTTP ${status}: ${text.slice(0, 300)}`
          : body.errors?.length
            ? `errors: ${JSON.stringify(body.errors).slice(0, 300)}`
            : firstDifference(maskCursors(body.data), entry.oracle);
      if (problem) problems.push(`${entry.label}: ${problem}`);
      else entry.expected = text;
    });
    if (problems.length) {
      throw new Error(
        `the reference answers disagree with the database in ${problems.length} of ${cases.length} requests:\n  ${problems.slice(0, 5).join('\n  ')}`,
      );
    }
  };
  await fill(set.cases);
  const secondPages = await set.secondPages((entry) => (JSON.parse(entry.expected!) as { data: unknown }).data);
  await fill(secondPages);
  return [...set.cases, ...secondPages];
}

function updateReadme(markdown: string): void {
  const path = join(__dirname, 'README.md');
  if (!existsSync(path)) return;
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:latest:start -->';
  const end = '<!-- bench:latest:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from === -1 || to === -1) return;
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${markdown.replace(/^## /, '### ')}\n${text.slice(to)}`);
}

/** Re-renders a stored run (after a change to the tables or targets), next to its JSON. */
function rerender(path: string, readme: boolean): void {
  const run = JSON.parse(readFileSync(path, 'utf8')) as RunResult;
  // JSON stored NaN (no correct response) as null.
  const revive = (value: unknown): unknown =>
    value === null
      ? NaN
      : Array.isArray(value)
        ? value.map(revive)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value).map(([key, item]) => [key, key === 'firstInvalid' || key === 'firstMismatch' || key === 'reason' ? item : revive(item)]),
            )
          : value;
  for (const variant of run.variants) variant.workloads = revive(variant.workloads) as WorkloadResult[];
  run.targets = checkTargets(run);
  const markdown = runMarkdown(run);
  writeFileSync(path.replace(/\.json$/, '.md'), markdown);
  if (readme) updateReadme(markdown);
  console.log(markdown);
}

/** What every graph's run shares. */
type RunContext = Pick<Topology, 'subgraphSecret' | 'identityHeader' | 'logDir' | 'gatewayCore' | 'loadCore'>;

interface SubgraphSpec {
  name: string;
  command: string[];
  env: NodeJS.ProcessEnv;
  /** Answers 200 once the subgraph serves. */
  readyUrl: string;
}

/** Starts a graph's subgraph processes (unpinned); `ready` waits for all of them. */
function startSubgraphs(specs: SubgraphSpec[], logDir: string): { managed: Managed[]; pids: Record<string, number>; ready: () => Promise<void> } {
  const managed = specs.map((spec) => startProcess(`subgraph-${spec.name}`, spec.command, spec.env, logDir, null));
  const ready = async () => {
    await Promise.all(managed.map((each, index) => waitFor(each.name, each, async () => (await fetch(specs[index]!.readyUrl)).ok)));
  };
  return { managed, pids: Object.fromEntries(specs.map((spec, index) => [spec.name, managed[index]!.child.pid!])), ready };
}

/** Every variant over one graph, one after another. */
async function runVariants(topology: Topology, options: Options, hive: HiveInstall | null, runResult: RunResult): Promise<void> {
  for (const id of options.variants) {
    const { result, profile } = await runVariant(id, topology, options, hive);
    runResult.variants.push(result);
    if (profile) runResult.profile = profile;
  }
}

/** The catalog workloads: our three subgraphs over the bench catalog in PostgreSQL. */
async function runCatalogGraph(
  context: RunContext,
  workloads: Workload[],
  options: Options,
  hiveInstall: Promise<HiveInstall | null>,
  runResult: RunResult,
): Promise<void> {
  const catalog = await ensureBenchCatalog({ profile: options.catalog, seed: options.seed, fresh: options.fresh, log });
  runResult.catalog = {
    profile: catalog.profile,
    seed: catalog.seed,
    sizes: catalog.sizes,
    anchor: catalog.anchor,
    reused: catalog.reused,
    seconds: catalog.seconds,
    summary: catalog.summary,
  };
  const ports = {} as Record<SubgraphName, number>;
  const counterPorts = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) {
    ports[name] = await freePort();
    counterPorts[name] = await freePort();
  }
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
  const counters = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${counterPorts[name]}/`]));
  const subgraphEnv: NodeJS.ProcessEnv = {
    ...baseEnv(),
    NODE_ENV: 'production',
    SUBGRAPH_SECRET: context.subgraphSecret,
    SEED_DEMO_DATA: 'never',
    HOST: '127.0.0.1',
    ...Object.fromEntries(
      SUBGRAPH_NAMES.flatMap((name) => [
        [`${name.toUpperCase()}_PORT`, String(ports[name])],
        [`${name.toUpperCase()}_DATABASE_URL`, catalog.urls[name]],
        [`${name.toUpperCase()}_SUBGRAPH_URL`, subgraphUrls[name]],
      ]),
    ),
  };
  const supergraphPath = join(context.logDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeSupergraph(subgraphUrls));
  const oracle = new Oracle(catalog.urls);
  const subgraphs = startSubgraphs(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      // With --cpu-prof the subgraphs are profiled too, for the whole run (each writes its profile when it stops).
      command: tsxCommand(
        'bench/subgraphEntry.ts',
        [name],
        options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(context.logDir, `cpu-profile-${name}`)}`] : [],
      ),
      env: { ...subgraphEnv, BENCH_COUNTERS_PORT: String(counterPorts[name]) },
      readyUrl: counters[name]!,
    })),
    context.logDir,
  );
  let reference: ReturnType<typeof startReference> | null = null;
  try {
    // Setup in parallel: the subgraphs start, the reference gateway starts, the oracle reads the databases.
    log('starting the subgraphs; computing the expected answers (SQL oracle, checked against a reference gateway)...');
    reference = startReference(await freePort(), { supergraphPath, identityHeader: context.identityHeader, logDir: context.logDir });
    const caseSet = buildCases(oracle, options.seed, options.quick);
    caseSet.catch(() => undefined);
    await subgraphs.ready();
    log(`subgraphs up: ${SUBGRAPH_NAMES.map((name) => `${name} ${subgraphUrls[name]}`).join(', ')}`);
    const cases = await captureReference(reference, await caseSet);
    await stopProcess(reference.managed);
    const perWorkload = [...new Set(cases.map((entry) => entry.workload))].map(
      (workload) => `${workload} ${cases.filter((entry) => entry.workload === workload).length}`,
    );
    log(`${cases.length} requests with checked expected answers (${perWorkload.join(', ')})`);
    runResult.catalog.requests = Object.fromEntries(perWorkload.map((entry) => entry.split(' ')));
    const topology: Topology = {
      ...context,
      graph: 'catalog',
      counters,
      supergraphPath,
      subgraphPids: subgraphs.pids,
      cases,
      workloads,
      oursEnv: {},
    };
    await runVariants(topology, options, await hiveInstall, runResult);
  } finally {
    if (reference) await stopProcess(reference.managed);
    await Promise.all(subgraphs.managed.map((managed) => stopProcess(managed)));
    await oracle.close();
  }
}

/**
 * The gateway-bound workload: four in-memory subgraphs (bench/gatewayBound/)
 * and their own supergraph, started after the catalog's processes have stopped.
 */
async function runGatewayBoundGraph(context: RunContext, options: Options, hiveInstall: Promise<HiveInstall | null>, runResult: RunResult): Promise<void> {
  const ports = {} as Record<GatewayBoundSubgraph, number>;
  for (const name of GATEWAY_BOUND_SUBGRAPHS) ports[name] = await freePort();
  const urls = Object.fromEntries(GATEWAY_BOUND_SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<
    GatewayBoundSubgraph,
    string
  >;
  const counters = Object.fromEntries(GATEWAY_BOUND_SUBGRAPHS.map((name) => [name, `http://127.0.0.1:${ports[name]}/counters`]));
  const supergraphPath = join(context.logDir, 'gateway-bound-supergraph.graphql');
  writeFileSync(supergraphPath, composeGatewayBoundSupergraph(urls));
  const subgraphs = startSubgraphs(
    GATEWAY_BOUND_SUBGRAPHS.map((name) => ({
      name,
      command: tsxCommand('bench/gatewayBound/index.ts', [name]),
      env: { ...baseEnv(), NODE_ENV: 'production', PORT: String(ports[name]) },
      readyUrl: counters[name]!,
    })),
    context.logDir,
  );
  try {
    log('starting the gateway-bound subgraphs (in memory)...');
    await subgraphs.ready();
    log(`gateway-bound subgraphs up: ${GATEWAY_BOUND_SUBGRAPHS.map((name) => `${name} ${urls[name]}`).join(', ')}`);
    const topology: Topology = {
      ...context,
      graph: 'gatewayBound',
      counters,
      supergraphPath,
      subgraphPids: subgraphs.pids,
      cases: gatewayBoundCases(),
      workloads: ['gatewayBound'],
      // The operation is estimated at 102,927 (every list counted as 10 items)
      // against a default limit of 50,000: the limit is raised, not switched
      // off, so its check still runs on every request, as the rate limit does.
      oursEnv: { MAX_QUERY_COST: '200000' },
    };
    await runVariants(topology, options, await hiveInstall, runResult);
  } finally {
    await Promise.all(subgraphs.managed.map((managed) => stopProcess(managed)));
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.report) return rerender(options.report, options.readme);
  const startedAt = Date.now();
  const loadBefore = loadavg();
  const cores = availableParallelism();
  const taskset = spawnSync('taskset', ['--version']).status === 0;
  const pinned = taskset && cores >= 2;
  const pinning = pinned
    ? 'gateway pinned to core 0 and load generator to core 1 (taskset); subgraphs and PostgreSQL unpinned, sharing both cores'
    : `unpinned (${taskset ? `only ${cores} core(s)` : 'taskset not found'}): gateway, load generator, subgraphs and PostgreSQL share the cores`;
  log(`mode ${options.quick ? 'quick' : 'full'}; ${pinning}`);

  const wantsHive = options.variants.includes('hive') || options.variants.includes('hive-rust');
  const hiveInstall = wantsHive ? ensureHiveGateway(log, { routerRuntime: options.variants.includes('hive-rust') }) : Promise.resolve(null);
  hiveInstall.catch(() => undefined);
  const logDir = mkdtempSync(join(tmpdir(), 'rgg-bench-'));
  log(`logs in ${logDir}`);
  const subgraphSecret = randomBytes(32).toString('hex');
  const context: RunContext = {
    subgraphSecret,
    identityHeader: signBenchIdentity(subgraphSecret),
    logDir,
    gatewayCore: pinned ? 0 : null,
    loadCore: pinned ? 1 : null,
  };
  const runResult: RunResult = {
    date: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    options: { ...options, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds },
    machine: {},
    catalog: {},
    variants: [],
    targets: [],
  };
  const catalogWorkloads = options.workloads.filter((workload) => workload !== 'gatewayBound');
  if (catalogWorkloads.length) await runCatalogGraph(context, catalogWorkloads, options, hiveInstall, runResult);
  if (options.workloads.includes('gatewayBound')) await runGatewayBoundGraph(context, options, hiveInstall, runResult);

  runResult.machine = {
    node: process.versions.node,
    cpus: cores,
    cpuModel: cpus()[0]?.model,
    pinning,
    loadAverage: { before: loadBefore, after: loadavg() },
    seconds: (Date.now() - startedAt) / 1000,
  };
  runResult.targets = checkTargets(runResult);
  const markdown = runMarkdown(runResult);
  mkdirSync(resultsDir, { recursive: true });
  const stamp = runResult.date.replace(/[-:]/g, '').replace(/\..*/, '');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(runResult, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${stamp}.md`), markdown);
  if (options.readme) updateReadme(markdown);
  console.log(`\n${markdown}`);
  log(`done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s: bench/results/${stamp}.{json,md}; logs in ${logDir}`);
}

function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

process.once('SIGINT', () => {
  killAll();
  process.exit(130);
});
main().catch((err: Error) => {
  console.error(err.stack ?? err);
  killAll();
  process.exit(1);
});
