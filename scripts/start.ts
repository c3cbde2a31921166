// Starts the whole federated catalog: the three subgraphs, then the gateway,
// each in its own process, with demo data seeded into empty stores. Settings
// come from the environment (see README); Ctrl-C stops everything. `npm run dev`
// runs this under `tsx watch`, which restarts it when a source file changes.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '../common/environment';
import { describeStore } from '../common/database';
import { subgraphProcessConfig } from '../common/subgraphProcess';
import { SUBGRAPH_NAMES, subgraphUrls } from '../common/topology';
import { gatewayConfig } from '../gateway/config';

const root = join(__dirname, '..');
// Compiled by `npm run build`, this file runs as JavaScript and starts the
// compiled entry points with plain node; from the checkout it runs them with tsx.
const compiled = __filename.endsWith('.js');
const children: ChildProcess[] = [];
let stopping = false;

function launch(name: string, entry: string): ChildProcess {
  const file = join(root, compiled ? entry.replace(/\.ts$/, '.js') : entry);
  const child = spawn(process.execPath, compiled ? [file] : ['--import', 'tsx', file], {
    cwd: process.cwd(),
    env: process.env,
    // The IPC channel closes when this process dies, which stops the child (see runServerProcess).
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? code}); stopping the catalog.`);
    void stop(1);
  });
  children.push(child);
  return child;
}

async function waitForHealth(name: string, url: string, timeoutMs = 120_000): Promise<void> {
  const health = new URL('/health', url).toString();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(health, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer ${health} within ${timeoutMs / 1000} s`);
}

async function stop(code: number): Promise<void> {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}

async function main(): Promise<void> {
  // Validate every setting before starting anything.
  const gateway = gatewayConfig(process.env);
  const urls = subgraphUrls(process.env);
  for (const name of SUBGRAPH_NAMES) {
    const config = subgraphProcessConfig(process.env, name);
    console.log(`starting ${name} subgraph on ${urls[name]} (${describeStore(config.store)})`);
    launch(name, join('subgraphs', name, 'index.ts'));
  }
  await Promise.all(SUBGRAPH_NAMES.map((name) => waitForHealth(name, urls[name])));
  launch('gateway', join('gateway', 'index.ts'));
  const gatewayUrl = `http://${gateway.host}:${gateway.port}/graphql`;
  await waitForHealth('gateway', gatewayUrl);
  console.log(`\nRelief Goods Graph is running: ${gatewayUrl}\nOpen it in a browser for the GraphQL playground. Ctrl-C stops it.\n`);
}

process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
main().catch((err: Error) => {
  console.error(err instanceof ConfigError ? err.message : (err.message ?? err));
  void stop(1);
});
