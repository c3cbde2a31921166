// npm run bench:scale [-- --products 1000000] [--repeat 30] [--seed 42] [--fresh] [--no-explain]
//
// How latency grows with the catalog: the subgraphs and our gateway (production
// mode, response cache off) over the catalog of the given size, and each
// CatalogPage shape (first page, a deep cursor, certifiedOnly, a region prefix,
// each with and without totalCount) and ProductDetail sent one at a time, so
// the figure is the cost of one request, not queueing. Then EXPLAIN ANALYZE of
// the products subgraph's page and count statements for every catalog shape,
// built by the subgraph's own functions. Results: bench/results/scale-<time>.{json,md}.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { encodeCursor } from '../common/connection';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { composeSupergraph } from '../gateway/supergraph';
import { catalogConditions, catalogCountStatement, catalogPageStatement } from '../subgraphs/products/catalog/catalogQueries';
import type { ProductFilter } from '../subgraphs/products/generated/graphql';
import { freePort } from '../test/support/catalogHarness';
import { ensureBenchCatalog, profileWithProducts } from './generateCatalog';

const root = join(__dirname, '..');
const contract = readFileSync(join(root, '..', 'shared', 'contract', 'partner-operations.graphql'), 'utf8');

function operation(name: string): string {
  const start = contract.indexOf(`query ${name}(`);
  const end = contract.indexOf('\n}\n', start);
  return contract.slice(start, end + 2);
}

const CATALOG_PAGE = operation('CatalogPage');
// The same page without the count, to tell the count's cost from the page's.
const CATALOG_PAGE_NO_COUNT = CATALOG_PAGE.replace('query CatalogPage(', 'query CatalogPageNoCount(').replace(/\n\s*totalCount\n/, '\n');
const PRODUCT_DETAIL = operation('ProductDetail');

interface Case {
  name: string;
  operationName: string;
  query: string;
  variables: Record<string, unknown>[];
  /** For EXPLAIN: the catalog filter and cursor of the page. */
  catalog?: { filter: ProductFilter | null; after: { key: string; id: string } | null; withCount: boolean };
}

interface Timing {
  name: string;
  requests: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
  statementsPerOp: number;
  peerRequestsPerOp: number;
  totalCount?: number;
  errors: number;
  firstError?: string;
  /** CPU (user + system, from /proc) of each process per request. */
  cpuMsPerOp: Record<string, number>;
}

// User + system CPU seconds of one process (Linux /proc; fields 14 and 15, after the command name).
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

const running = new Set<ChildProcess>();

function start(name: string, command: string[], env: NodeJS.ProcessEnv, logDir: string): ChildProcess {
  const fd = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(command[0]!, command.slice(1), { cwd: root, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not answer within ${timeoutMs / 1000} s`);
}

const tsx = (file: string, args: string[] = []) => [process.execPath, '--import', 'tsx', join(root, file), ...args];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function counters(urls: Record<string, string>): Promise<{ statements: number; peerRequests: number }> {
  let statements = 0;
  let peerRequests = 0;
  for (const url of Object.values(urls)) {
    const body = (await (await fetch(url)).json()) as { statements: number; peerRequests: number };
    statements += body.statements;
    peerRequests += body.peerRequests;
  }
  return { statements, peerRequests };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      products: { type: 'string', default: '50000' },
      repeat: { type: 'string', default: '30' },
      seed: { type: 'string', default: '42' },
      fresh: { type: 'boolean', default: false },
      'no-explain': { type: 'boolean', default: false },
      label: { type: 'string' },
      'subgraph-timeout-ms': { type: 'string' },
    },
  });
  const profile = profileWithProducts(Number(values.products));
  const repeat = Number(values.repeat);
  const log = (message: string) => console.error(`[bench:scale] ${message}`);
  const catalog = await ensureBenchCatalog({ profile, seed: Number(values.seed), fresh: values.fresh, log });
  const logDir = mkdtempSync(join(tmpdir(), 'rgg-bench-scale-'));
  log(`logs in ${logDir}`);

  const subgraphSecret = randomBytes(32).toString('hex');
  const ports = {} as Record<SubgraphName, number>;
  const counterUrls: Record<string, string> = {};
  const children: ChildProcess[] = [];
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', SUBGRAPH_SECRET: subgraphSecret, SEED_DEMO_DATA: 'never', HOST: '127.0.0.1' };
  for (const key of ['NODE_OPTIONS', 'PORT', 'SUPERGRAPH_PATH', 'REDIS_URL', 'RESPONSE_CACHE', 'LOG_LEVEL']) delete env[key];
  for (const name of SUBGRAPH_NAMES) {
    env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
    env[`${name.toUpperCase()}_DATABASE_URL`] = catalog.urls[name];
    env[`${name.toUpperCase()}_SUBGRAPH_URL`] = subgraphUrls[name];
  }
  const products = new pg.Client({ connectionString: catalog.urls.products });
  const certification = new pg.Client({ connectionString: catalog.urls.certification });
  await products.connect();
  await certification.connect();
  const timings: Timing[] = [];
  const explains: { name: string; statement: string; plan: string; ms: number }[] = [];
  try {
    for (const name of SUBGRAPH_NAMES) {
      const countersPort = await freePort();
      counterUrls[name] = `http://127.0.0.1:${countersPort}/`;
      children.push(start(`subgraph-${name}`, tsx('bench/subgraphEntry.ts', [name]), { ...env, BENCH_COUNTERS_PORT: String(countersPort) }, logDir));
    }
    const supergraphPath = join(logDir, 'supergraph.graphql');
    writeFileSync(supergraphPath, composeSupergraph(subgraphUrls));
    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    children.push(
      start(
        'gateway',
        tsx('gateway/index.ts'),
        {
          ...env,
          PORT: String(gatewayPort),
          SUPERGRAPH_PATH: supergraphPath,
          RESPONSE_CACHE: 'off',
          // The production default (5 s) unless told: a statement that grows past it shows as errors.
          ...(values['subgraph-timeout-ms'] ? { SUBGRAPH_TIMEOUT_MS: values['subgraph-timeout-ms'], SUBGRAPH_RETRIES: '0' } : {}),
          RATE_LIMIT_ANONYMOUS: '1000000/s,burst=1000000',
          AUTH_SECRET: randomBytes(32).toString('hex'),
        },
        logDir,
      ),
    );
    const processes: [string, ChildProcess][] = [
      ['gateway', children[3]!],
      ...SUBGRAPH_NAMES.map((name, index) => [name, children[index]!] as [string, ChildProcess]),
    ];
    for (const url of Object.values(counterUrls)) await waitUntil(url, async () => (await fetch(url)).ok);
    const send = async (query: string, operationName: string, variables: Record<string, unknown>) => {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, operationName, variables }),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await response.json()) as { data?: { products?: { totalCount?: number } }; errors?: unknown[] };
      if (response.status !== 200 || body.errors)
        throw new Error(`${operationName} ${JSON.stringify(variables)}: ${response.status} ${JSON.stringify(body.errors)}`);
      return body;
    };
    await waitUntil(
      'gateway',
      async () => (await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })).ok,
    );
    log('catalog, subgraphs and gateway up');
    // The products subgraph copies the certified set when it starts (in the
    // background; once per database): measure after it, not beside it.
    const copyStarted = Date.now();
    await waitUntil(
      'the certified copy',
      async () => Number((await products.query<{ version: string }>(`SELECT version FROM certified_product_sync WHERE id = 1`)).rows[0]!.version) >= 0,
    );
    log(`certified copy in place (waited ${((Date.now() - copyStarted) / 1000).toFixed(1)} s)`);

    // --- the requests, from the data
    const [{ count: productCount }] = (await products.query<{ count: number }>(`SELECT count(*)::int AS count FROM product`)).rows as [{ count: number }];
    const deep = (
      await products.query<{ id: string; name: string }>(`SELECT id, name FROM product ORDER BY name, id OFFSET $1 LIMIT 1`, [Math.floor(productCount * 0.9)])
    ).rows[0]!;
    const province = (
      await products.query<{ prefix: string }>(`SELECT left(origin_region_code, 2) AS prefix FROM product GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)
    ).rows[0]!.prefix;
    const detailIds = (await products.query<{ id: string }>(`SELECT id FROM product ORDER BY md5(id || $1) LIMIT 40`, [String(values.seed)])).rows.map(
      (row) => row.id,
    );
    const deepCursor = encodeCursor({ order: 'NAME', key: deep.name, id: deep.id });
    const shapes: { name: string; filter: ProductFilter | null; after: { key: string; id: string } | null }[] = [
      { name: 'first page', filter: null, after: null },
      { name: 'deep cursor (90 % into NAME order)', filter: null, after: { key: deep.name, id: deep.id } },
      { name: 'certifiedOnly', filter: { certifiedOnly: true }, after: null },
      { name: `region prefix ${province}`, filter: { regionCode: province }, after: null },
    ];
    const cases: Case[] = [];
    for (const withCount of [false, true]) {
      for (const shape of shapes) {
        cases.push({
          name: `CatalogPage first: 20, ${shape.name}${withCount ? ', with totalCount' : ''}`,
          operationName: withCount ? 'CatalogPage' : 'CatalogPageNoCount',
          query: withCount ? CATALOG_PAGE : CATALOG_PAGE_NO_COUNT,
          variables: [{ first: 20, ...(shape.filter ? { filter: shape.filter } : {}), ...(shape.after ? { after: deepCursor } : {}) }],
          catalog: { filter: shape.filter, after: shape.after, withCount },
        });
      }
    }
    cases.push({ name: 'ProductDetail', operationName: 'ProductDetail', query: PRODUCT_DETAIL, variables: detailIds.map((id) => ({ id })) });

    // --- one request at a time
    for (const entry of cases) {
      let errors = 0;
      let firstError: string | undefined;
      const attempt = async (variables: Record<string, unknown>) => {
        try {
          return await send(entry.query, entry.operationName, variables);
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message.slice(0, 300);
          return null;
        }
      };
      for (let warm = 0; warm < 3; warm++) await attempt(entry.variables[warm % entry.variables.length]!);
      errors = 0;
      const before = await counters(counterUrls);
      const cpuBefore = processes.map(([, child]) => cpuSeconds(child.pid!));
      const latencies: number[] = [];
      let totalCount: number | undefined;
      for (let index = 0; index < repeat; index++) {
        const started = process.hrtime.bigint();
        const body = await attempt(entry.variables[index % entry.variables.length]!);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        totalCount = body?.data?.products?.totalCount ?? totalCount;
      }
      const after = await counters(counterUrls);
      const cpuMsPerOp = Object.fromEntries(processes.map(([name, child], index) => [name, ((cpuSeconds(child.pid!) - cpuBefore[index]!) * 1000) / repeat]));
      latencies.sort((a, b) => a - b);
      const timing: Timing = {
        name: entry.name,
        requests: repeat,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: latencies[latencies.length - 1]!,
        mean: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
        statementsPerOp: (after.statements - before.statements) / repeat,
        peerRequestsPerOp: (after.peerRequests - before.peerRequests) / repeat,
        ...(totalCount !== undefined ? { totalCount } : {}),
        errors,
        ...(firstError ? { firstError } : {}),
        cpuMsPerOp,
      };
      timings.push(timing);
      log(
        `${entry.name}: p50 ${timing.p50.toFixed(1)} ms, p95 ${timing.p95.toFixed(1)} ms, SQL/op ${timing.statementsPerOp.toFixed(1)}${totalCount !== undefined ? `, totalCount ${totalCount}` : ''}${errors ? `, ${errors} errors: ${firstError}` : ''}`,
      );
    }

    // --- EXPLAIN ANALYZE of the products subgraph's catalog statements
    if (!values['no-explain']) {
      for (const entry of cases) {
        if (!entry.catalog) continue;
        const { filter, after, withCount } = entry.catalog;
        const certified = filter?.certifiedOnly ? new Date() : null;
        const conditions = catalogConditions(filter, certified);
        const statements = withCount
          ? [['count', catalogCountStatement(filter, conditions, certified)] as const]
          : [['page', catalogPageStatement(conditions, 'NAME', { first: 20, after: after ? { order: 'NAME', ...after } : null })] as const];
        for (const [kind, statement] of statements) {
          const { rows } = await products.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values as unknown[]);
          const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
          const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
          explains.push({ name: `${entry.name} (${kind})`, statement: statement.text.replace(/\s+/g, ' ').trim().slice(0, 400), plan, ms });
        }
      }
    }
  } finally {
    await products.end();
    await certification.end();
    await Promise.all(children.map(stop));
  }

  const date = new Date().toISOString();
  const result = {
    date,
    label: values.label ?? null,
    profile,
    seed: catalog.seed,
    sizes: catalog.sizes,
    summary: catalog.summary,
    catalogSeconds: catalog.seconds,
    reused: catalog.reused,
    repeat,
    cpus: availableParallelism(),
    loadAverage: loadavg(),
    timings,
    explains,
  };
  const lines = [
    `### ${values.label ? `${values.label}: ` : ''}${catalog.sizes.products.toLocaleString('en')} products, ${catalog.sizes.listings.toLocaleString('en')} listings (${date})`,
    '',
    `${repeat} requests per row, one at a time, through our gateway (production, response cache off); load average after ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}.`,
    '',
    `Gateway subgraph timeout: ${values['subgraph-timeout-ms'] ? `${values['subgraph-timeout-ms']} ms, no retries` : 'the production default'}. Latencies include failed requests.`,
    '',
    'CPU: user + system time per request of each process, from /proc (PostgreSQL not included).',
    '',
    '| request | p50 ms | p95 ms | max ms | errors | SQL/op | subgraph→subgraph req/op | totalCount | CPU ms/op gateway | products | suppliers | certification |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...timings.map(
      (t) =>
        `| ${t.name} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)} | ${t.max.toFixed(1)} | ${t.errors} | ${t.statementsPerOp.toFixed(1)} | ${t.peerRequestsPerOp.toFixed(1)} | ${t.totalCount ?? ''} | ${['gateway', ...SUBGRAPH_NAMES].map((name) => (t.cpuMsPerOp[name] ?? NaN).toFixed(1)).join(' | ')} |`,
    ),
    '',
    ...(explains.length
      ? [
          '| statement (EXPLAIN ANALYZE in the products database) | execution ms |',
          '| --- | ---: |',
          ...explains.map((e) => `| ${e.name} | ${e.ms.toFixed(1)} |`),
          '',
        ]
      : []),
  ];
  const markdown = `${lines.join('\n')}\n`;
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const stamp = date.replace(/[-:]/g, '').replace(/\..*/, '');
  const base = join(__dirname, 'results', `scale-${catalog.sizes.products}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdown + explains.map((e) => `\n#### ${e.name}\n\n\`\`\`\n${e.plan}\n\`\`\`\n`).join(''));
  console.log(markdown);
  log(`results: ${base}.{json,md}`);
}

process.once('SIGINT', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(130);
});
main().catch((err: Error) => {
  console.error(err.stack ?? err);
  for (const child of running) child.kill('SIGKILL');
  process.exit(1);
});
