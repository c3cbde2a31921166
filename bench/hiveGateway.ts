// Hive Gateway for the benchmark only: installed from npm into a scratch
// folder outside the project (never a dependency of the product), kept there
// between runs, and started as `hive-gateway supergraph FILE` with default
// settings plus a config file that adds the static identity header our
// subgraphs require (bench/benchIdentity.ts). For the `hive-rust` variant the
// same folder also gets Hive's router runtime (the Rust query planner as a
// native addon, with its own executor), which Hive Gateway's CLI loads from
// there when HIVE_ROUTER_RUNTIME is true.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { IDENTITY_HEADER } from '../common/identity';

export const HIVE_GATEWAY_VERSION = '2.15.1';
/**
 * The router runtime release for that gateway: it plugs into the gateway's
 * runtime through @graphql-mesh/fusion-runtime, of which both must share one
 * copy (checked after the install).
 */
export const HIVE_ROUTER_RUNTIME_VERSION = '1.4.23';

type RouterRuntimeInstall = { ok: true; version: string } | { ok: false; reason: string };

export type HiveInstall = { ok: true; dir: string; bin: string; version: string; routerRuntime: RouterRuntimeInstall | null } | { ok: false; reason: string };

/** BENCH_HIVE_DIR, default <tmp>/rgg-bench-hive-gateway-<version>. */
export function hiveInstallDir(): string {
  return process.env.BENCH_HIVE_DIR ?? join(tmpdir(), `rgg-bench-hive-gateway-${HIVE_GATEWAY_VERSION}`);
}

function minimumNodeMajor(range: string | undefined): number | null {
  const match = range ? />=\s*(\d+)/.exec(range) : null;
  return match ? Number(match[1]) : null;
}

interface Manifest {
  version: string;
  bin?: Record<string, string>;
  engines?: { node?: string };
}

const readManifest = (path: string): Manifest | null => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : null);

/** Why this Node cannot run a package of that manifest, or null. */
function engineProblem(manifest: Manifest): string | null {
  const needs = minimumNodeMajor(manifest.engines?.node);
  const major = Number(process.versions.node.split('.')[0]);
  return needs !== null && major < needs ? `needs Node ${needs} (engines ${manifest.engines?.node}), this is Node ${process.versions.node}` : null;
}

const failure = (err: unknown) => String((err as { stderr?: string }).stderr ?? err).slice(-500);

/**
 * Installs (once) and checks Hive Gateway, and with `routerRuntime` its router
 * runtime beside it; says why either cannot run here.
 */
export async function ensureHiveGateway(log: (message: string) => void, { routerRuntime = false } = {}): Promise<HiveInstall> {
  const dir = hiveInstallDir();
  const modules = join(dir, 'node_modules', '@graphql-hive');
  const gatewayManifestPath = join(modules, 'gateway', 'package.json');
  const runtimeManifestPath = join(modules, 'router-runtime', 'package.json');
  const wanted = [
    { manifest: gatewayManifestPath, spec: `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION}`, version: HIVE_GATEWAY_VERSION },
    ...(routerRuntime
      ? [{ manifest: runtimeManifestPath, spec: `@graphql-hive/router-runtime@${HIVE_ROUTER_RUNTIME_VERSION}`, version: HIVE_ROUTER_RUNTIME_VERSION }]
      : []),
  ];
  const missing = wanted.filter((entry) => readManifest(entry.manifest)?.version !== entry.version);
  if (missing.length) {
    // Both pinned packages in one install, so npm resolves their shared dependencies together.
    const specs = wanted.map((entry) => entry.spec);
    log(`hive: installing ${specs.join(' and ')} into ${dir} (once; about a minute)...`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, description: 'Hive Gateway for bench/run.ts only' })}\n`);
    try {
      await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--save-exact', ...specs], {
        cwd: dir,
        timeout: 15 * 60_000,
        maxBuffer: 1 << 24,
      });
    } catch (err) {
      return { ok: false, reason: `npm install failed: ${failure(err)}` };
    }
  }
  const manifest = readManifest(gatewayManifestPath);
  if (!manifest?.bin) return { ok: false, reason: 'npm install did not produce @graphql-hive/gateway' };
  const gatewayProblem = engineProblem(manifest);
  if (gatewayProblem) return { ok: false, reason: gatewayProblem };
  const bin = join(dirname(gatewayManifestPath), manifest.bin['hive-gateway']!);
  try {
    await promisify(execFile)(process.execPath, [bin, '--version'], { timeout: 60_000 });
  } catch (err) {
    return { ok: false, reason: `hive-gateway --version failed on Node ${process.versions.node}: ${failure(err)}` };
  }
  return { ok: true, dir, bin, version: manifest.version, routerRuntime: routerRuntime ? await checkRouterRuntime(dir, runtimeManifestPath) : null };
}

async function checkRouterRuntime(dir: string, manifestPath: string): Promise<RouterRuntimeInstall> {
  const manifest = readManifest(manifestPath);
  if (manifest?.version !== HIVE_ROUTER_RUNTIME_VERSION)
    return { ok: false, reason: `npm install did not produce @graphql-hive/router-runtime@${HIVE_ROUTER_RUNTIME_VERSION}` };
  const problem = engineProblem(manifest);
  if (problem) return { ok: false, reason: problem };
  // A copy of fusion-runtime of its own would mean npm found the runtime's range and the gateway's apart.
  const ownCopy = join(dirname(manifestPath), 'node_modules', '@graphql-mesh', 'fusion-runtime');
  if (existsSync(ownCopy))
    return { ok: false, reason: `router-runtime ${manifest.version} needs another @graphql-mesh/fusion-runtime than Hive Gateway ${HIVE_GATEWAY_VERSION}` };
  // The gateway's CLI imports it by name, found in this folder's node_modules; the native planner loads with it.
  try {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', "await import('@graphql-hive/router-runtime')"], { cwd: dir, timeout: 60_000 });
  } catch (err) {
    return { ok: false, reason: `@graphql-hive/router-runtime does not load on Node ${process.versions.node}: ${failure(err)}` };
  }
  return { ok: true, version: manifest.version };
}

/**
 * Hive Gateway falls back to its JavaScript runtime, with a warning, when it
 * cannot load the router runtime: such a run would measure the wrong gateway.
 */
export function routerRuntimeProblem(log: string): string | null {
  if (log.includes('Could not load the @graphql-hive/router-runtime'))
    return 'Hive Gateway could not load the router runtime and fell back to its JavaScript runtime';
  if (!log.includes('Using Hive Router Runtime')) return 'Hive Gateway did not report "Using Hive Router Runtime"';
  return null;
}

/**
 * Hive's config file: nothing but the static identity header on every
 * subgraph request (Hive's header propagation hook, which may return any
 * headers, not only ones copied from the client).
 */
export function writeHiveConfig(folder: string, identityHeader: string): string {
  const path = join(folder, 'gateway.config.mjs');
  writeFileSync(
    path,
    `// Written by bench/hiveGateway.ts: the only change from Hive Gateway's defaults.
const identity = ${JSON.stringify(identityHeader)};
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: () => ({ ${JSON.stringify(IDENTITY_HEADER)}: identity }),
  },
};
`,
  );
  return path;
}

export function hiveCommand(install: Extract<HiveInstall, { ok: true }>, supergraphPath: string, configPath: string, port: number): string[] {
  return [process.execPath, install.bin, 'supergraph', supergraphPath, '--host', '127.0.0.1', '--port', String(port), '--config-path', configPath];
}
