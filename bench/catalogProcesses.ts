// The catalog as an operator runs it, for the soak and flood benchmarks: the
// three subgraphs and the gateway as separate processes in production mode
// (their own secrets) on fresh PostgreSQL databases seeded with the demo
// catalog, every server on 127.0.0.1. The gateway can be restarted with other
// settings over the same subgraphs; its RSS is read from /proc.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUBGRAPH_NAMES } from '../common/topology';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { createTestDatabase, freePort } from '../test/support/catalogHarness';
import { startProcess, waitForOk, type RunningProcess } from '../test/support/processes';

const root = join(__dirname, '..');

export interface CatalogProcesses {
  gatewayUrl: string;
  /** The gateway's pid (node itself: tsx runs inside it through --import). */
  gatewayPid(): number;
  /** Stops the gateway and starts it again with `env` on top of the common settings. */
  restartGateway(env: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

function entry(file: string, env: NodeJS.ProcessEnv, name: string): RunningProcess {
  return startProcess(name, process.execPath, ['--import', 'tsx', join(root, file)], { cwd: root, env });
}

export async function startCatalogProcesses(gatewayEnv: Record<string, string>, log: (line: string) => void): Promise<CatalogProcesses> {
  const databases = await Promise.all(SUBGRAPH_NAMES.map((name) => createTestDatabase(`bench_${name}`)));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    AUTH_SECRET: randomBytes(32).toString('hex'),
    SUBGRAPH_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    PORT: String(port),
    // The load comes from one address by design: the limiter still runs, but never refuses it.
    RATE_LIMIT_ANONYMOUS: '1000000/s,burst=1000000',
  };
  for (const [index, name] of SUBGRAPH_NAMES.entries()) {
    env[`${name.toUpperCase()}_PORT`] = String(await freePort());
    env[`${name.toUpperCase()}_DATABASE_URL`] = databases[index].url;
  }
  const subgraphs: RunningProcess[] = [];
  let gateway: RunningProcess | null = null;
  const close = async () => {
    await gateway?.stop();
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    await Promise.all(databases.map((database) => database.drop()));
  };
  try {
    log('starting the three subgraphs on fresh PostgreSQL databases (demo catalog)');
    for (const name of SUBGRAPH_NAMES) subgraphs.push(entry(`subgraphs/${name}/index.ts`, env, name));
    await Promise.all(SUBGRAPH_NAMES.map((name, index) => waitForOk(`http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`]}/ready`, subgraphs[index], 180_000)));
    const startGateway = async (extra: Record<string, string>) => {
      gateway = entry('gateway/index.ts', { ...env, ...extra }, 'gateway');
      await waitForOk(`http://127.0.0.1:${port}/ready`, gateway, 120_000);
    };
    await startGateway(gatewayEnv);
    return {
      gatewayUrl: `http://127.0.0.1:${port}/graphql`,
      gatewayPid: () => gateway!.child.pid!,
      restartGateway: async (extra) => {
        await gateway?.stop();
        await startGateway(extra);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Resident set size of a process in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command name; in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface CatalogRequest {
  operationName: string;
  body: string;
}

/**
 * Ordinary partner reads of the demo catalog, from the contract: catalog
 * pages in every order and under each filter kind, every product's detail,
 * suppliers with their products.
 */
export async function partnerRequests(gatewayUrl: string): Promise<CatalogRequest[]> {
  const contract = new Map(readContractOperations(defaultContractDir()).map((operation) => [operation.name, operation.query]));
  const request = (operationName: string, variables: Record<string, unknown>): CatalogRequest => ({
    operationName,
    body: JSON.stringify({ operationName, query: contract.get(operationName), variables }),
  });
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ products(first: 100) { edges { node { id supplier { id } } } } }' }),
  });
  const { data } = (await response.json()) as { data: { products: { edges: { node: { id: string; supplier: { id: string } | null } }[] } } };
  const products = data.products.edges.map((edge) => edge.node);
  const suppliers = [...new Set(products.map((product) => product.supplier?.id).filter((id): id is string => Boolean(id)))];
  return [
    ...['NAME', 'PRICE_ASC', 'PRICE_DESC', 'SALES_DESC', 'UPDATED_DESC'].map((orderBy) => request('CatalogPage', { first: 20, orderBy })),
    request('CatalogPage', { first: 20, filter: { category: 'FRUIT' } }),
    request('CatalogPage', { first: 20, filter: { regionCode: '41' } }),
    request('CatalogPage', { first: 20, filter: { certifiedOnly: true } }),
    request('CatalogPage', { first: 20, filter: { search: '梨' } }),
    ...products.map((product) => request('ProductDetail', { id: product.id })),
    ...suppliers.map((id) => request('SupplierWithProducts', { id, first: 5 })),
  ];
}

/** POSTs one request; ok when HTTP 200 and no errors in the answer. */
export async function send(url: string, body: string): Promise<{ ok: boolean; ms: number; problem?: string }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200) return { ok: false, ms, problem: `HTTP ${response.status}: ${text.slice(0, 200)}` };
    const parsed = JSON.parse(text) as { errors?: unknown[] };
    return parsed.errors ? { ok: false, ms, problem: text.slice(0, 200) } : { ok: true, ms };
  } catch (err) {
    return { ok: false, ms: performance.now() - started, problem: (err as Error).message };
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function stamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
}
