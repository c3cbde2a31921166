// Hive Gateway for the benchmark only: installed from npm into a scratch
// folder outside the project (never a dependency of the product), kept there
// between runs, and started as `hive-gateway supergraph FILE` with default
// settings plus a config file that adds the static identity header our
// subgraphs require (bench/benchIdentity.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { IDENTITY_HEADER } from '../common/identity';

export const HIVE_GATEWAY_VERSION = '2.15.1';

export type HiveInstall = { ok: true; dir: string; bin: string; version: string } | { ok: false; reason: string };

/** BENCH_HIVE_DIR, default <tmp>/rgg-bench-hive-gateway-<version>. */
export function hiveInstallDir(): string {
  return process.env.BENCH_HIVE_DIR ?? join(tmpdir(), `rgg-bench-hive-gateway-${HIVE_GATEWAY_VERSION}`);
}

function minimumNodeMajor(range: string | undefined): number | null {
  const match = range ? />=\s*(\d+)/.exec(range) : null;
  return match ? Number(match[1]) : null;
}

/** Installs (once) and checks Hive Gateway; says why when it cannot run here. */
export async function ensureHiveGateway(log: (message: string) => void): Promise<HiveInstall> {
  const dir = hiveInstallDir();
  const manifestPath = join(dir, 'node_modules', '@graphql-hive', 'gateway', 'package.json');
  const installed = () =>
    existsSync(manifestPath)
      ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; bin: Record<string, string>; engines?: { node?: string } })
      : null;
  let manifest = installed();
  if (manifest?.version !== HIVE_GATEWAY_VERSION) {
    log(`hive: installing @graphql-hive/gateway@${HIVE_GATEWAY_VERSION} into ${dir} (once; about a minute)...`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, description: 'Hive Gateway for bench/run.ts only' })}\n`);
    try {
      await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--save-exact', `@graphql-hive/gateway@${HIVE_GATEWAY_VERSION}`], {
        cwd: dir,
        timeout: 15 * 60_000,
        maxBuffer: 1 << 24,
      });
    } catch (err) {
      return { ok: false, reason: `npm install failed: ${String((err as { stderr?: string }).stderr ?? err).slice(-500)}` };
    }
    manifest = installed();
    if (!manifest) return { ok: false, reason: 'npm install did not produce @graphql-hive/gateway' };
  }
  const needs = minimumNodeMajor(manifest.engines?.node);
  const major = Number(process.versions.node.split('.')[0]);
  if (needs !== null && major < needs)
    return { ok: false, reason: `needs Node ${needs} (engines ${manifest.engines?.node}), this is Node ${process.versions.node}` };
  const bin = join(dirname(manifestPath), manifest.bin['hive-gateway']!);
  try {
    await promisify(execFile)(process.execPath, [bin, '--version'], { timeout: 60_000 });
  } catch (err) {
    return {
      ok: false,
      reason: `hive-gateway --version failed on Node ${process.versions.node}: ${String((err as { stderr?: string }).stderr ?? err).slice(-500)}`,
    };
  }
  return { ok: true, dir, bin, version: manifest.version };
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
