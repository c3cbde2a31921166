// The production build: `npm run build` compiles to JavaScript with the
// generated code, writes the supergraph, and the catalog then runs from the
// build output with plain node (no tsx, no TypeScript), in production mode.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unresolvedRequires } from '../scripts/build';
import { contractOperation } from './support/contract';
import { post } from './support/graphqlHttp';
import { freePort } from './support/catalogHarness';
import { startProcess, waitForOk, type RunningProcess } from './support/processes';

const root = join(__dirname, '..');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? (entry.name === 'node_modules' ? [] : walk(join(dir, entry.name))) : [join(dir, entry.name)],
  );
}

describe('production build', () => {
  const work = mkdtempSync(join(tmpdir(), 'rgg-build-'));
  const out = join(work, 'dist');
  const app = join(out, 'app');
  const ports = { gateway: 0, products: 0, suppliers: 0, certification: 0 };
  let catalog: RunningProcess | null = null;

  beforeAll(async () => {
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    execFileSync('npm', ['run', 'build', '--silent', '--', '--out-dir', out], {
      cwd: root,
      env: {
        ...process.env,
        PRODUCTS_PORT: String(ports.products),
        SUPPLIERS_PORT: String(ports.suppliers),
        CERTIFICATION_PORT: String(ports.certification),
      },
      stdio: 'pipe',
    });
  }, 120_000);

  afterAll(async () => {
    await catalog?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('holds JavaScript only, with the generated code, migrations, SDL, playground and the supergraph', () => {
    const files = walk(app).map((file) => file.slice(app.length + 1));
    expect(files.filter((file) => /\.tsx?$/.test(file))).toEqual([]);
    for (const name of ['products', 'suppliers', 'certification']) {
      expect(files).toContain(`subgraphs/${name}/index.js`);
      expect(files).toContain(`subgraphs/${name}/generated/prisma/client.js`);
      expect(files.some((file) => file.startsWith(`subgraphs/${name}/prisma/migrations/`) && file.endsWith('migration.sql'))).toBe(true);
      expect(files).toContain(`schema/${name}.graphql`);
    }
    expect(files).toContain('gateway/index.js');
    expect(files).toContain('scripts/migrate.js');
    expect(files).toContain('gateway/playground/dist/manifest.json');
    expect(files).toContain('persisted-query-manifest.json');
    expect(existsSync(join(out, 'shared', 'contract', 'partner-operations.graphql'))).toBe(true);
    const supergraph = readFileSync(join(app, 'supergraph.graphql'), 'utf8');
    expect(supergraph).toContain(`url: "http://127.0.0.1:${ports.products}/graphql"`);
    expect(supergraph).toContain('@join__graph(name: "certification"');
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(manifest.scripts.postinstall).toBeUndefined();
    expect(manifest.scripts.start).toBe('node scripts/start.js');
  });

  test('loads only production dependencies; a devDependency in the output is caught', () => {
    expect(unresolvedRequires(app)).toEqual([]);
    const intruder = join(app, 'common', 'intruder.js');
    writeFileSync(intruder, 'require("jest"); require("./missing");\n');
    try {
      expect(unresolvedRequires(app)).toEqual([
        'common/intruder.js requires jest, which is not a production dependency',
        'common/intruder.js requires ./missing, which the build does not contain',
      ]);
    } finally {
      rmSync(intruder);
    }
  });

  test('the catalog starts from the build output in production mode and answers the partner operations', async () => {
    // The build folder alone: node resolves packages from the installed dependencies, nothing from the checkout.
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
    catalog = startProcess('catalog', process.execPath, [join(app, 'scripts', 'start.js')], {
      cwd: work,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        AUTH_SECRET: 'build-test-auth-secret-0123456789abcdef',
        SUBGRAPH_SECRET: 'build-test-subgraph-secret-0123456789abcdef',
        DATA_DIR: join(work, 'data'),
        LOG_LEVEL: 'warn',
        PORT: String(ports.gateway),
        PRODUCTS_PORT: String(ports.products),
        SUPPLIERS_PORT: String(ports.suppliers),
        CERTIFICATION_PORT: String(ports.certification),
        SUPERGRAPH_PATH: join(app, 'supergraph.graphql'),
      },
    });
    const gateway = `http://127.0.0.1:${ports.gateway}`;
    await waitForOk(`${gateway}/ready`, catalog, 90_000);
    // No process of the catalog runs TypeScript: every child is plain node on a .js entry point.
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(catalog.child.pid)])
      .toString()
      .trim()
      .split('\n');
    expect(children).toHaveLength(4);
    for (const args of children) {
      expect(args).toMatch(/\.js$/);
      expect(args).not.toContain('tsx');
    }

    const page = await post<{ products: { totalCount: number; edges: { node: { id: string; name: string } }[] } }>(`${gateway}/graphql`, {
      query: contractOperation('CatalogPage'),
      variables: { first: 5, filter: { regionCode: '41' } },
    });
    expect(page.errors).toBeUndefined();
    expect(page.data!.products.totalCount).toBeGreaterThan(0);
    const id = page.data!.products.edges[0].node.id;
    const detail = await post<{ product: { id: string; supplier: { name: string } | null; reliefEligibility: unknown } }>(`${gateway}/graphql`, {
      query: contractOperation('ProductDetail'),
      variables: { id },
    });
    expect(detail.errors).toBeUndefined();
    expect(detail.data!.product.id).toBe(id);
    expect(detail.data!.product.supplier?.name).toBeTruthy();
    expect(detail.data!.product.reliefEligibility).toBeTruthy();
    // Production mode: introspection is off.
    const introspection = await post(`${gateway}/graphql`, { query: '{ __schema { queryType { name } } }' });
    expect(introspection.errors?.[0]).toBeDefined();
  }, 150_000);
});
