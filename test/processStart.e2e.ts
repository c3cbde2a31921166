// How processes start without their secrets or with a bad setting: real
// gateway and subgraph processes, their output and exit status as an operator
// sees them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, type RunningProcess } from './support/processes';

const root = join(__dirname, '..');
const PRODUCTION_SECRET = 'a-production-secret-of-at-least-32-characters';

/** The environment of a process started by hand: no secrets, no development flag (PATH only). */
function bare(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { PATH: process.env.PATH, PORT: '0', PRODUCTS_PORT: '0', LOG_LEVEL: 'info', ...extra };
}

function run(entry: string, env: Record<string, string | undefined>): RunningProcess {
  return startProcess(entry, process.execPath, ['--import', 'tsx', join(root, entry)], { cwd: root, env });
}

async function waitForOutput(process: RunningProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(process.output())) return process.output();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${process.name} never wrote ${pattern}:\n${process.output()}`);
}

/** Starts the entry point, expects it to end with status 1 and exactly one line of output; returns that line. */
async function refusal(entry: string, env: Record<string, string | undefined>): Promise<string> {
  const child = run(entry, env);
  try {
    const { code } = await child.exited;
    expect({ code, output: child.output() }).toEqual({ code: 1, output: expect.any(String) });
    const lines = child.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    return lines[0];
  } finally {
    await child.kill();
  }
}

describe('development secrets only when asked for', () => {
  it('a gateway or subgraph started without its secrets and without the flag refuses with one line', async () => {
    const [gateway, capitalised, products, certification] = await Promise.all([
      refusal('gateway/index.ts', bare()),
      refusal('gateway/index.ts', bare({ NODE_ENV: 'Production' })),
      refusal('subgraphs/products/index.ts', bare()),
      refusal('subgraphs/certification/index.ts', bare({ NODE_ENV: 'production', DEVELOPMENT_SECRETS: '1' })),
    ]);
    expect(gateway).toBe(
      'Configuration error: AUTH_SECRET or AUTH_PUBLIC_KEY_PATH is required (or set DEVELOPMENT_SECRETS=1 to use the development secrets on this machine)',
    );
    expect(capitalised).toBe(gateway);
    expect(products).toBe('Configuration error: SUBGRAPH_SECRET is required (or set DEVELOPMENT_SECRETS=1 to use the development secrets on this machine)');
    expect(certification).toBe('Configuration error: SUBGRAPH_SECRET is required when NODE_ENV=production');
  }, 60_000);

  it('with DEVELOPMENT_SECRETS=1 a gateway and a subgraph start and log a warning naming the development secrets', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rgg-start-'));
    const gateway = run('gateway/index.ts', bare({ DEVELOPMENT_SECRETS: '1' }));
    const suppliers = run(
      'subgraphs/suppliers/index.ts',
      bare({ DEVELOPMENT_SECRETS: '1', SUPPLIERS_PORT: '0', DATA_DIR: data, AUTH_SECRET: PRODUCTION_SECRET }),
    );
    try {
      // The JSON log is buffered (written at least every half second): wait for the line itself.
      const gatewayLog = await waitForOutput(gateway, /"developmentSecrets"/);
      const warning = gatewayLog
        .split('\n')
        .map((line) => (line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : null))
        .find((entry) => entry?.developmentSecrets);
      expect(warning).toMatchObject({
        level: 40,
        developmentSecrets: ['AUTH_SECRET', 'SUBGRAPH_SECRET'],
        msg: expect.stringContaining('development secret in use'),
      });
      expect(await waitForOutput(suppliers, /development secret in use for SUBGRAPH_SECRET/)).toContain('"level":40');
    } finally {
      await Promise.all([gateway.stop(), suppliers.stop()]);
      rmSync(data, { recursive: true, force: true });
    }
  }, 60_000);

  it('with both secrets set nothing is said about development secrets', async () => {
    const gateway = run('gateway/index.ts', bare({ AUTH_SECRET: PRODUCTION_SECRET, SUBGRAPH_SECRET: PRODUCTION_SECRET }));
    try {
      await waitForOutput(gateway, /"msg":"listening"/);
      // Past the half second in which the buffered log would have written it.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(gateway.output()).not.toContain('development secret');
    } finally {
      await gateway.stop();
    }
  }, 60_000);
});

describe('a gateway configuration error', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rgg-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends the process with the one line that names the variable, never a stack trace', async () => {
    const notASupergraph = join(dir, 'supergraph.graphql');
    writeFileSync(notASupergraph, 'this is not a supergraph');
    const notAManifest = join(dir, 'manifest.json');
    writeFileSync(notAManifest, '{');
    const development = { DEVELOPMENT_SECRETS: '1', LOG_LEVEL: 'error' };
    const lines = await Promise.all([
      refusal('gateway/index.ts', bare({ ...development, SUPERGRAPH_PATH: join(dir, 'missing.graphql') })),
      refusal('gateway/index.ts', bare({ ...development, PERSISTED_QUERIES: 'only', PERSISTED_QUERY_MANIFEST: notAManifest })),
      refusal('gateway/index.ts', bare({ ...development, MAX_QUERY_DEPTH: 'deep' })),
      refusal('gateway/index.ts', bare({ ...development, SUPERGRAPH_PATH: notASupergraph })),
      refusal('gateway/index.ts', bare({ ...development, METRICS_PORT: 'nine' })),
      refusal('gateway/index.ts', bare({ ...development, METRICS_TOKEN: 'short' })),
      refusal('gateway/index.ts', bare({ ...development, PLAYGROUND: 'maybe' })),
    ]);
    expect(lines).toEqual([
      `Configuration error: SUPERGRAPH_PATH names a file that does not exist: ${join(dir, 'missing.graphql')}`,
      `Configuration error: PERSISTED_QUERY_MANIFEST does not name a persisted query manifest: ${notAManifest}`,
      'Configuration error: MAX_QUERY_DEPTH must be a whole number, got "deep"',
      expect.stringMatching(/^gateway could not start: Syntax Error/),
      'Configuration error: METRICS_PORT must be a whole number, got "nine"',
      'Configuration error: METRICS_TOKEN must be at least 16 characters',
      'Configuration error: PLAYGROUND must be true or false, got "maybe"',
    ]);
  }, 60_000);
});
