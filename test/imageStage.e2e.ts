// The container image without Docker: scripts/stageImage.ts carries out the
// Dockerfile into a folder, and the catalog then runs from that folder alone,
// as the image would run it: the processes the image's entry point chooses
// (the default CMD for the gateway, the arguments deploy/kubernetes passes for
// the subgraphs and the migration Jobs), the image's ENV, its WORKDIR, its user
// when the test runs as root, no package from outside the folder.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { commandOfCmdline } from '../scripts/healthcheck';
import { stageImage, type ImageConfig } from '../scripts/stageImage';
import { createTestDatabase, freePort } from './support/catalogHarness';
import { contractOperation } from './support/contract';
import { post } from './support/graphqlHttp';
import { startProcess, waitForOk, type ProcessOptions, type RunningProcess } from './support/processes';

const root = join(__dirname, '..');
// Packages the lock has only for development (some devDependencies, such as
// @types/pg, are also dependencies of production packages and stay).
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
const developmentOnly = Object.entries(lock.packages)
  .filter(([path, entry]) => path !== '' && (entry.dev || entry.devOptional))
  .map(([path]) => path);

/** Every installed package, as the lock names it: node_modules/a, node_modules/a/node_modules/@b/c. */
function installedPackages(dir: string, prefix = 'node_modules'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory() || entry.name.startsWith('.')) return [];
    const names = entry.name.startsWith('@') ? readdirSync(join(dir, entry.name)).map((scoped) => `${entry.name}/${scoped}`) : [entry.name];
    return names.flatMap((name) => {
      const nested = join(dir, name, 'node_modules');
      return [`${prefix}/${name}`, ...(existsSync(nested) ? installedPackages(nested, `${prefix}/${name}/node_modules`) : [])];
    });
  });
}

function filesOutside(dir: string, skip: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === skip ? [] : filesOutside(path, skip);
    return [path];
  });
}

describe('container image, staged from the Dockerfile', () => {
  const out = mkdtempSync(join(tmpdir(), 'rgg-image-'));
  let image: ImageConfig;
  let app: string;
  const processes: RunningProcess[] = [];
  const databases: { drop(): Promise<void> }[] = [];

  beforeAll(() => {
    image = stageImage({ out, buildContexts: { contract: '../shared/contract' } });
    app = join(image.root, image.workdir);
    // mkdtemp makes the folder private; the image's user must be able to read it.
    chmodSync(out, 0o755);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await Promise.all(databases.map((database) => database.drop()));
    rmSync(out, { recursive: true, force: true });
  });

  test('the runtime stage holds the build output and production dependencies only; non-root user, gateway by default, a HEALTHCHECK', () => {
    expect(image.user).toBe('10001:10001');
    expect(image.entrypoint).toEqual(['node', 'scripts/entrypoint.js']);
    expect(image.cmd).toEqual(['gateway']);
    expect(image.healthcheck?.cmd).toEqual(['node', 'scripts/healthcheck.js']);
    expect(image.env.NODE_ENV).toBe('production');

    const packages = new Set(installedPackages(join(app, 'node_modules')));
    expect(packages.has('node_modules/graphql')).toBe(true);
    expect(packages.has('node_modules/@prisma/client')).toBe(true);
    expect(developmentOnly.filter((path) => packages.has(path))).toEqual([]);
    for (const tool of ['typescript', 'jest', 'prisma', '@swc/core', '@graphql-codegen/cli', 'autocannon']) {
      expect({ tool, installed: packages.has(`node_modules/${tool}`) }).toEqual({ tool, installed: false });
    }
    // Compiled code only, no sources, no build stage left behind.
    const files = filesOutside(join(image.root, 'srv'), 'node_modules').map((file) => relative(image.root, file));
    expect(files.filter((file) => /\.tsx?$/.test(file))).toEqual([]);
    expect(files).toContain('srv/app/gateway/index.js');
    expect(files).toContain('srv/shared/contract/partner-operations.graphql');
    expect(readdirSync(image.root).sort()).toEqual(['srv']);
    // The image's own supergraph names the Kubernetes Services, as the ConfigMap does.
    expect(readFileSync(join(app, 'supergraph.graphql'), 'utf8')).toBe(readFileSync(join(root, 'deploy', 'kubernetes', 'supergraph.graphql'), 'utf8'));
  });

  test('the catalog runs from the staged folder alone: migrate Jobs, three subgraphs, the gateway, health checks, partner reads', async () => {
    const ports = { gateway: await freePort(), products: await freePort(), suppliers: await freePort(), certification: await freePort() };
    const env: Record<string, string | undefined> = {
      // The host's PATH stands in for the base image's; no node_modules/.bin, no NODE_PATH.
      PATH: (process.env.PATH ?? '')
        .split(':')
        .filter((entry) => !entry.includes('node_modules'))
        .join(':'),
      ...image.env,
      HOST: '127.0.0.1',
      SUBGRAPH_HOST: '127.0.0.1',
      PORT: String(ports.gateway),
      AUTH_SECRET: 'image-test-auth-secret-0123456789abcdef',
      SUBGRAPH_SECRET: 'image-test-subgraph-secret-0123456789abcdef',
      LOG_LEVEL: 'warn',
    };
    for (const name of SUBGRAPH_NAMES) {
      const database = await createTestDatabase(`image_${name}`);
      databases.push(database);
      env[`${name.toUpperCase()}_DATABASE_URL`] = database.url;
      env[`${name.toUpperCase()}_PORT`] = String(ports[name]);
      env[`${name.toUpperCase()}_SUBGRAPH_URL`] = `http://127.0.0.1:${ports[name]}/graphql`;
    }
    // As root, run as the image's user (as Kubernetes' runAsUser does), with a
    // folder of its own to write to (the pods' /tmp emptyDir).
    const [uid, gid] = image.user!.split(':').map(Number);
    const asRoot = process.getuid?.() === 0;
    const writable = join(out, 'tmp');
    mkdirSync(writable);
    if (asRoot) chownSync(writable, uid, gid);
    env.DATA_DIR = join(writable, 'data');
    const as: ProcessOptions = { cwd: app, env, ...(asRoot ? { uid, gid } : {}) };
    // The base image's node is the host's.
    const program = (word: string) => (word === 'node' ? process.execPath : word);
    const inImage = (args: string[]) => spawnSync(program(args[0]), args.slice(1), { ...as, encoding: 'utf8' });

    // Packages resolve inside the folder, not from the checkout.
    const resolved = inImage(['node', '-p', "require.resolve('graphql')"]);
    expect(resolved.stdout.trim().startsWith(join(app, 'node_modules'))).toBe(true);

    // The migration Jobs' command, then the supergraph for these ports with the image's own compose script.
    const migrated = inImage([...image.entrypoint, 'migrate', ...SUBGRAPH_NAMES]);
    expect({ status: migrated.status, stderr: migrated.stderr }).toEqual({ status: 0, stderr: '' });
    const supergraph = join(writable, 'supergraph.graphql');
    expect(inImage(['node', 'scripts/compose.js', supergraph]).status).toBe(0);
    env.SUPERGRAPH_PATH = supergraph;

    const start = (name: string, args: string[]) => {
      const child = startProcess(name, program(args[0]), args.slice(1), as);
      processes.push(child);
      return child;
    };
    const subgraphs = SUBGRAPH_NAMES.map((name: SubgraphName) => start(name, [...image.entrypoint, name]));
    await Promise.all(SUBGRAPH_NAMES.map((name, index) => waitForOk(`http://127.0.0.1:${ports[name]}/health`, subgraphs[index], 120_000)));
    const gateway = start('gateway', [...image.entrypoint, ...image.cmd]);
    const url = `http://127.0.0.1:${ports.gateway}`;
    await waitForOk(`${url}/ready`, gateway, 60_000);

    // The HEALTHCHECK finds the command on the main process's command line; given it, it probes that process.
    expect(commandOfCmdline(readFileSync(`/proc/${gateway.child.pid}/cmdline`, 'latin1'))).toBe('gateway');
    for (const command of ['gateway', ...SUBGRAPH_NAMES]) {
      const probe = inImage([...image.healthcheck!.cmd, command]);
      expect({ command, status: probe.status, stderr: probe.stderr }).toEqual({ command, status: 0, stderr: '' });
    }
    gateway.child.kill('SIGSTOP');
    try {
      const stuck = inImage([...image.healthcheck!.cmd, 'gateway']);
      expect(stuck.status).toBe(1);
    } finally {
      gateway.child.kill('SIGCONT');
    }

    const page = await post<{ products: { totalCount: number; edges: { node: { id: string } }[] } }>(`${url}/graphql`, {
      query: contractOperation('CatalogPage'),
      variables: { first: 5, filter: { regionCode: '41' } },
    });
    expect(page.errors).toBeUndefined();
    expect(page.data!.products.totalCount).toBeGreaterThan(0);
    const id = page.data!.products.edges[0].node.id;
    const detail = await post<{ product: { id: string; supplier: { name: string } | null } }>(`${url}/graphql`, {
      query: contractOperation('ProductDetail'),
      variables: { id },
    });
    expect(detail.errors).toBeUndefined();
    expect(detail.data!.product.supplier?.name).toBeTruthy();
  }, 300_000);
});
