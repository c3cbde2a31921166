// `npm start` as an operator runs it: real processes, embedded stores in a
// data folder that survives a restart, demo data seeded only on first start.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './support/catalogHarness';
import { DEV_AUTH_SECRET } from '../common/identity';
import { mintToken } from '../common/localTokens';

const root = join(__dirname, '..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start.ts')], {
    cwd: root,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`catalog did not start:\n${output}`)), 120_000);
    child.stdout!.on('data', () => {
      const match = /Relief Goods Graph is running: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`catalog exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  const exited = new Promise<number | null>((resolve) => started.child.once('exit', (code) => resolve(code)));
  started.child.kill('SIGTERM');
  expect(await exited).toBe(0);
}

async function query<Data>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data: Data; errors?: unknown[] };
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rgg-data-'));
  let env: Record<string, string>;

  beforeAll(async () => {
    env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      PRODUCTS_PORT: String(await freePort()),
      SUPPLIERS_PORT: String(await freePort()),
      CERTIFICATION_PORT: String(await freePort()),
    };
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts the federated catalog with demo data, keeps its data across a restart and seeds only once', async () => {
    const first = await start(env);
    let second: Started | undefined;
    try {
      expect(first.url).toBe(`http://127.0.0.1:${env.PORT}/graphql`);
      expect((await fetch(new URL('/ready', first.url))).status).toBe(200);
      const count = await query<{ products: { totalCount: number } }>(first.url, '{ products(first: 1) { totalCount } }');
      expect(count.data.products.totalCount).toBeGreaterThanOrEqual(60);

      // Change something, restart on the same data folder, and find it still there.
      const certifier = mintToken({ sub: 'start-test', roles: ['certifier'] }, DEV_AUTH_SECRET, 600);
      const queue = await query<{ certifications: { edges: { node: { id: string; version: number } }[] } }>(
        first.url,
        '{ certifications(status: PENDING, first: 1) { edges { node { id version } } } }',
        {},
        certifier,
      );
      const pending = queue.data.certifications.edges[0].node;
      const rejected = await query(
        first.url,
        'mutation($id: ID!, $v: Int!) { rejectCertification(id: $id, expectedVersion: $v, reason: "restart test") { status } }',
        { id: pending.id, v: pending.version },
        certifier,
      );
      expect(rejected.errors).toBeUndefined();
      await stop(first);

      second = await start(env);
      const again = await query<{ certification: { status: string; version: number } }>(
        second.url,
        'query($id: ID!) { certification(id: $id) { status version } }',
        { id: pending.id },
        certifier,
      );
      expect(again.data.certification).toEqual({ status: 'REJECTED', version: pending.version + 1 });
      const recount = await query<{ products: { totalCount: number } }>(second.url, '{ products(first: 1) { totalCount } }');
      expect(recount.data.products.totalCount).toBe(count.data.products.totalCount);
    } finally {
      await stop(first).catch(() => undefined);
      if (second) await stop(second);
    }
  }, 300_000);

  it('refuses to start with a bad setting and names the variable', async () => {
    await expect(start({ ...env, PORT: 'eighty' })).rejects.toThrow(/PORT must be a whole number/);
  }, 60_000);
});
