// The benchmark's result shape, its markdown table (every figure with its
// ratio to stock @apollo/gateway), and the issue's targets checked against
// one run.
import { CATALOG_WORKLOADS, WORKLOAD_TITLES, type Workload } from './workloads';

export const VARIANTS = ['ours', 'ours-cache', 'stock', 'hive', 'hive-rust'] as const;
export type VariantId = (typeof VARIANTS)[number];

export const VARIANT_TITLES: Record<VariantId, string> = {
  ours: 'our gateway, cache off',
  'ours-cache': 'our gateway, cache on',
  stock: 'stock @apollo/gateway',
  hive: 'Hive Gateway',
  'hive-rust': 'Hive Gateway, Rust query planner',
};

/** The graphs a run starts in turn: the catalog over PostgreSQL, the in-memory gateway-bound one. */
export type GraphName = 'catalog' | 'gatewayBound';

/** The gateway's CPU per operation on the gateway-bound workload, ours against stock's. */
export const GATEWAY_BOUND_CPU_TARGET = 0.5;

export interface WorkloadResult {
  workload: Workload;
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Wrong status, GraphQL errors, wrong data, connection errors and timeouts in the measured window. */
  errors: number;
  errorDetail: { status: number; graphqlErrors: number; wrongData: number; connectionErrors: number; timeouts: number };
  sent: number;
  responses: number;
  valid: number;
  seconds: number;
  /** Peak RSS of the gateway process (and its children) during warm-up and window. */
  peakRssMiB: number;
  /** GraphQL requests the subgraphs received from the gateway, per operation sent. */
  subgraphRequestsPerOp: number;
  /** Requests between subgraphs (certifiedOnly), per operation. */
  peerRequestsPerOp: number;
  sqlPerOp: number;
  warmup: { seconds: number; valid: number; errors: number };
  firstInvalid: string | null;
  /**
   * CPU time per operation of the gateway (with its children) and of each
   * subgraph process, and how busy the whole machine was (PostgreSQL, the
   * load generator and anything else running included).
   */
  cpu: { gatewayMsPerOp: number; subgraphMsPerOp: Record<string, number>; machineBusy: number };
  /** The same counts for one operation at a time on an idle gateway (cold cache, no in-flight deduplication). */
  alone: { subgraphRequestsPerOp: number; peerRequestsPerOp: number; sqlPerOp: number };
}

/** One gateway over one graph (a run holds one per variant and graph). */
export interface VariantResult {
  id: VariantId;
  title: string;
  /** Absent in runs from before the gateway-bound graph: the catalog. */
  graph?: GraphName;
  status: 'ok' | 'not run' | 'failed';
  reason?: string;
  command?: string;
  env?: Record<string, string>;
  /** Processes of the gateway at the end of its run (Hive may fork). */
  processes?: number;
  verification?: { cases: number; mismatches: number; firstMismatch: string | null };
  workloads: WorkloadResult[];
}

export interface TargetCheck {
  target: string;
  workload: Workload | 'all';
  required: string;
  measured: string;
  met: boolean | null;
  note?: string;
}

export interface RunResult {
  date: string;
  mode: 'quick' | 'full';
  options: Record<string, unknown>;
  machine: Record<string, unknown>;
  catalog: Record<string, unknown>;
  variants: VariantResult[];
  targets: TargetCheck[];
  profile?: { title: string; file: string; markdown: string };
}

function find(run: RunResult, id: VariantId, workload: Workload): WorkloadResult | undefined {
  return run.variants
    .filter((entry) => entry.id === id && entry.status === 'ok')
    .flatMap((entry) => entry.workloads)
    .find((entry) => entry.workload === workload);
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function ratio(value: number, base: number | undefined): string {
  if (base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) return '';
  if (base === 0) return value === 0 ? ' (1.00×)' : '';
  return ` (${(value / base).toFixed(2)}×)`;
}

/** One table: a row per workload and gateway, each figure with its ratio to stock. */
export function resultsTable(run: RunResult): string {
  const workloads = [...new Set(run.variants.flatMap((variant) => variant.workloads.map((entry) => entry.workload)))];
  const lines = [
    '| workload | gateway | RPS | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | subgraph req/op | SQL/op |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const workload of workloads) {
    for (const variant of run.variants) {
      if (variant.status !== 'ok') continue;
      const row = variant.workloads.find((entry) => entry.workload === workload);
      if (!row) continue;
      const base = find(run, 'stock', workload);
      lines.push(
        `| ${WORKLOAD_TITLES[workload]} | ${variant.title} | ${fixed(row.rps, 0)}${ratio(row.rps, base?.rps)} | ${fixed(row.latencyMs.p50, 1)}${ratio(row.latencyMs.p50, base?.latencyMs.p50)} | ${fixed(row.latencyMs.p95, 1)}${ratio(row.latencyMs.p95, base?.latencyMs.p95)} | ${fixed(row.latencyMs.p99, 1)}${ratio(row.latencyMs.p99, base?.latencyMs.p99)} | ${row.errors}${base && base.errors > 0 ? ratio(row.errors, base.errors) : ''} | ${fixed(row.peakRssMiB, 0)}${ratio(row.peakRssMiB, base?.peakRssMiB)} | ${fixed(row.subgraphRequestsPerOp, 2)}${ratio(row.subgraphRequestsPerOp, base?.subgraphRequestsPerOp)} | ${fixed(row.sqlPerOp, 2)}${ratio(row.sqlPerOp, base?.sqlPerOp)} |`,
      );
    }
  }
  const skipped = run.variants.filter((variant) => variant.status !== 'ok');
  for (const variant of skipped)
    lines.push(
      `\n${variant.title}${variant.graph === 'gatewayBound' ? ' (gateway-bound graph)' : ''}: ${variant.status} (${variant.reason ?? 'no reason given'})`,
    );
  return lines.join('\n');
}

/** Per operation on the catalog: counts alone, and where the CPU of an operation went under load. */
export function perOperationTable(run: RunResult): string {
  const workloads = [...new Set(run.variants.flatMap((variant) => variant.workloads.map((entry) => entry.workload)))].filter(
    (workload) => workload !== 'gatewayBound',
  );
  const subgraphs = ['products', 'suppliers', 'certification'];
  const lines = [
    `| workload | gateway | subgraph req/op alone | SQL/op alone | gateway CPU ms/op | ${subgraphs.map((name) => `${name} CPU ms/op`).join(' | ')} | machine busy |`,
    `| --- | --- | ---: | ---: | ---: | ${subgraphs.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const workload of workloads) {
    for (const variant of run.variants) {
      const row = variant.status === 'ok' ? variant.workloads.find((entry) => entry.workload === workload) : undefined;
      if (!row) continue;
      lines.push(
        `| ${WORKLOAD_TITLES[workload]} | ${variant.title} | ${fixed(row.alone.subgraphRequestsPerOp, 2)} | ${fixed(row.alone.sqlPerOp, 2)} | ${fixed(row.cpu.gatewayMsPerOp, 1)} | ${subgraphs.map((name) => fixed(row.cpu.subgraphMsPerOp[name] ?? NaN, 1)).join(' | ')} | ${fixed(row.cpu.machineBusy * 100, 0)}% |`,
      );
    }
  }
  return lines.join('\n');
}

/**
 * The gateway-bound workload: what each gateway's own process spends per
 * operation, with its ratio to stock's, next to what the subgraphs spend.
 */
export function gatewayBoundTable(run: RunResult): string | null {
  const stock = find(run, 'stock', 'gatewayBound');
  const rows = run.variants.flatMap((variant) => {
    const row = variant.status === 'ok' ? variant.workloads.find((entry) => entry.workload === 'gatewayBound') : undefined;
    return row ? [{ variant, row }] : [];
  });
  if (!rows.length) return null;
  const lines = [
    '| gateway | RPS | p99 ms | errors | gateway CPU ms/op | gateway CPU/op vs stock | subgraphs CPU ms/op (all four) | subgraph req/op alone |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { variant, row } of rows) {
    const subgraphs = Object.values(row.cpu.subgraphMsPerOp).reduce((sum, value) => sum + value, 0);
    const cpuRatio = stock && Number.isFinite(stock.cpu.gatewayMsPerOp) ? row.cpu.gatewayMsPerOp / stock.cpu.gatewayMsPerOp : NaN;
    lines.push(
      `| ${variant.title} | ${fixed(row.rps, 0)} | ${fixed(row.latencyMs.p99, 1)} | ${row.errors} | ${fixed(row.cpu.gatewayMsPerOp, 2)} | ${Number.isFinite(cpuRatio) ? `${cpuRatio.toFixed(2)}×` : '—'} | ${fixed(subgraphs, 2)} | ${fixed(row.alone.subgraphRequestsPerOp, 0)} |`,
    );
  }
  return lines.join('\n');
}

function shortfall(measured: number, required: number, higherIsBetter: boolean): string {
  if (!Number.isFinite(measured)) return 'not measured';
  const gap = higherIsBetter ? measured / required - 1 : required / measured - 1;
  if (gap >= 0) return 'met';
  return -gap < 0.005 ? 'missed by < 1%' : `missed by ${(-gap * 100).toFixed(0)}%`;
}

/** The issue's targets, checked against this run (null: a variant needed for it did not run). */
export function checkTargets(run: RunResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const workloads = [...new Set(run.variants.flatMap((variant) => variant.workloads.map((entry) => entry.workload)))];
  const rpsRatio = (target: string, id: VariantId, baseId: VariantId, workload: Workload, required: number) => {
    const value = find(run, id, workload);
    const base = find(run, baseId, workload);
    if (!value || !base) {
      checks.push({ target, workload, required: `≥ ${required}×`, measured: 'not run', met: null });
      return;
    }
    if (base.rps === 0) {
      // The other side answered nothing correctly: any correct throughput beats it.
      checks.push({
        target,
        workload,
        required: `≥ ${required}×`,
        measured: `${fixed(value.rps, 0)} vs 0 RPS (${VARIANT_TITLES[baseId]}: ${base.errors} errors, no correct answer)`,
        met: value.rps > 0 && value.errors === 0,
      });
      return;
    }
    const measured = value.rps / base.rps;
    checks.push({
      target,
      workload,
      required: `≥ ${required}×`,
      measured: `${fixed(measured, 2)}× (${fixed(value.rps, 0)} vs ${fixed(base.rps, 0)} RPS)`,
      met: measured >= required && value.errors === 0,
      note: value.errors > 0 ? `${value.errors} errors` : shortfall(measured, required, true),
    });
  };
  const p99NoWorse = (id: VariantId, baseId: VariantId, workload: Workload) => {
    const value = find(run, id, workload);
    const base = find(run, baseId, workload);
    const target = `cache off p99 no worse than ${VARIANT_TITLES[baseId]}`;
    if (!value || !base) {
      checks.push({ target, workload, required: '≤ 1.00×', measured: 'not run', met: null });
      return;
    }
    if (!Number.isFinite(base.latencyMs.p99)) {
      checks.push({
        target,
        workload,
        required: '≤ 1.00×',
        measured: `${fixed(value.latencyMs.p99, 1)} ms vs no correct answer`,
        met: null,
        note: 'nothing to compare',
      });
      return;
    }
    const measured = value.latencyMs.p99 / base.latencyMs.p99;
    checks.push({
      target,
      workload,
      required: '≤ 1.00×',
      measured: `${fixed(measured, 2)}× (${fixed(value.latencyMs.p99, 1)} vs ${fixed(base.latencyMs.p99, 1)} ms)`,
      met: measured <= 1,
      note: shortfall(measured, 1, false),
    });
  };
  // The issue's RPS and p99 targets are for the catalog; the gateway-bound workload has its CPU target below.
  for (const workload of workloads.filter((entry) => entry !== 'gatewayBound')) {
    rpsRatio('cache off ≥ 2× stock RPS', 'ours', 'stock', workload, 2);
    rpsRatio('cache off ≥ 1.0× Hive RPS', 'ours', 'hive', workload, 1.0);
    rpsRatio('cache off ≥ 1.0× Hive with the Rust planner RPS', 'ours', 'hive-rust', workload, 1.0);
    p99NoWorse('ours', 'stock', workload);
    p99NoWorse('ours', 'hive', workload);
    p99NoWorse('ours', 'hive-rust', workload);
  }
  for (const workload of CATALOG_WORKLOADS.filter((entry) => workloads.includes(entry))) {
    rpsRatio('cache on ≥ 10× stock', 'ours-cache', 'stock', workload, 10);
  }
  if (workloads.includes('gatewayBound')) {
    const target = `gateway CPU per operation ≤ ${GATEWAY_BOUND_CPU_TARGET}× stock (cache off)`;
    const value = find(run, 'ours', 'gatewayBound');
    const base = find(run, 'stock', 'gatewayBound');
    const required = `≤ ${GATEWAY_BOUND_CPU_TARGET.toFixed(2)}×`;
    if (!value || !base || !Number.isFinite(value.cpu.gatewayMsPerOp) || !Number.isFinite(base.cpu.gatewayMsPerOp)) {
      checks.push({ target, workload: 'gatewayBound', required, measured: 'not run', met: null });
    } else {
      const measured = value.cpu.gatewayMsPerOp / base.cpu.gatewayMsPerOp;
      checks.push({
        target,
        workload: 'gatewayBound',
        required,
        measured: `${fixed(measured, 2)}× (${fixed(value.cpu.gatewayMsPerOp, 2)} vs ${fixed(base.cpu.gatewayMsPerOp, 2)} ms)`,
        met: measured <= GATEWAY_BOUND_CPU_TARGET && value.errors === 0,
        note: value.errors > 0 ? `${value.errors} errors` : shortfall(measured, GATEWAY_BOUND_CPU_TARGET, false),
      });
    }
  }
  const small = find(run, 'ours', 'catalog20');
  const large = find(run, 'ours', 'catalog100');
  if (small && large) {
    // Counted one operation at a time: under load, a short window's edges add noise.
    checks.push({
      target: 'SQL statements per operation do not grow with page size (cache off, alone)',
      workload: 'all',
      required: 'first: 100 ≤ first: 20',
      measured: `${fixed(large.alone.sqlPerOp, 2)} vs ${fixed(small.alone.sqlPerOp, 2)} (under load ${fixed(large.sqlPerOp, 2)} vs ${fixed(small.sqlPerOp, 2)})`,
      met: large.alone.sqlPerOp <= small.alone.sqlPerOp,
    });
  }
  return checks;
}

export function targetsTable(checks: TargetCheck[]): string {
  const lines = ['| target | workload | required | measured | verdict |', '| --- | --- | --- | --- | --- |'];
  for (const check of checks) {
    const verdict = check.met === null ? 'not checked' : check.met ? 'met' : `**missed**${check.note && check.note !== 'met' ? `: ${check.note}` : ''}`;
    lines.push(
      `| ${check.target} | ${check.workload === 'all' ? 'CatalogPage' : WORKLOAD_TITLES[check.workload]} | ${check.required} | ${check.measured} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}

export function runMarkdown(run: RunResult): string {
  const machine = run.machine as { pinning?: string; loadAverage?: { before: number[]; after: number[] }; node?: string; cpus?: number };
  const options = run.options as { connections?: number; durationSeconds?: number; warmupSeconds?: number };
  const catalog = run.catalog as { profile?: string; seed?: number; summary?: { products?: number; suppliers?: number; listings?: number } };
  const verification = run.variants
    .filter((variant) => variant.verification && variant.verification.mismatches > 0)
    .map(
      (variant) =>
        `- ${variant.title}: ${variant.verification!.mismatches} of ${variant.verification!.cases} requests answered wrongly before the load (${variant.verification!.firstMismatch})`,
    );
  const catalogRun = catalog.profile !== undefined;
  const gatewayBound = gatewayBoundTable(run);
  return [
    `## ${run.mode === 'quick' ? 'Quick run' : 'Run'} of ${run.date}`,
    '',
    (catalogRun
      ? `Catalog ${catalog.profile} (seed ${catalog.seed}: ${catalog.summary?.products} products, ${catalog.summary?.suppliers} suppliers, ${catalog.summary?.listings} listings). `
      : '') +
      `${options.connections} connections, ${options.warmupSeconds} s warm-up, ${options.durationSeconds} s measured per workload. ` +
      `Node ${machine.node}, ${machine.cpus} CPUs; ${machine.pinning}. Load average before/after: ${machine.loadAverage?.before.map((v) => v.toFixed(2)).join(' ')} / ${machine.loadAverage?.after.map((v) => v.toFixed(2)).join(' ')}.`,
    '',
    'RPS counts correct responses only; latencies are of correct responses. Ratios are to stock @apollo/gateway on the same workload.',
    '',
    resultsTable(run),
    '',
    ...(verification.length ? ['Wrong answers seen before the load:', '', ...verification, ''] : []),
    ...(catalogRun
      ? [
          '### Per operation',
          '',
          '"Alone": the most requested few requests of each workload sent one at a time to the idle gateway before its load (cache cold, nothing to deduplicate), weighted as in the load. ' +
            'CPU: user + system time of each process from /proc, from idle before the workload to idle after it, per request sent. "Machine busy": both cores, PostgreSQL and everything else on the machine included.',
          '',
          perOperationTable(run),
          '',
        ]
      : []),
    ...(gatewayBound
      ? [
          '### Gateway-bound',
          '',
          `In-memory subgraphs, one deeply nested operation (bench/gatewayBound/): the gateway's own CPU per operation is the figure; the target is ≤ ${GATEWAY_BOUND_CPU_TARGET}× stock's for ours with the cache off. CPU measured as above.`,
          '',
          gatewayBound,
          '',
        ]
      : []),
    '### Targets',
    '',
    targetsTable(run.targets),
    ...(run.profile ? ['', run.profile.markdown] : []),
    '',
  ].join('\n');
}
