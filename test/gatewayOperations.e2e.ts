// Operating the gateway: serving a supergraph file and swapping to a changed
// one, health and readiness, Prometheus metrics and the request id in the
// subgraphs' logs, draining on SIGTERM; a subgraph's own readiness follows
// its store.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { gatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { composeSupergraph, readSubgraphSdl } from '../gateway/supergraph';
import pg from 'pg';
import { subgraphSecret } from '../common/identity';
import { createLogger } from '../common/logging';
import { startSubgraph } from '../common/subgraphProcess';
import { SUBGRAPH_NAMES } from '../common/topology';
import { suppliersSubgraph } from '../subgraphs/suppliers/server';
import { ADMIN_DATABASE_URL, createTestDatabase, freePort, startCatalog, startGatewayOver, subgraphUrlsOf, type Catalog } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';
import { post } from './support/graphqlHttp';
import { startTcpProxy } from './support/tcpProxy';

const root = join(__dirname, '..');

describe('gateway health, readiness and supergraph file', () => {
  let catalog: Catalog;
  const subgraphLogs: string[] = [];

  beforeAll(async () => {
    catalog = await startCatalog({
      backend: 'pglite',
      subgraphLog: (name) =>
        createLogger(
          name,
          'info',
          new Writable({
            write(chunk, _encoding, done) {
              subgraphLogs.push(String(chunk));
              done();
            },
          }),
        ),
    });
  }, 120_000);
  afterAll(async () => {
    await catalog?.close();
  });

  const base = () => new URL(catalog.gatewayUrl).origin;

  it('serves a supergraph file named by SUPERGRAPH_PATH, routing to the URLs in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rgg-supergraph-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(
      file,
      composeSupergraph({
        products: catalog.subgraphs.products.url,
        suppliers: catalog.subgraphs.suppliers.url,
        certification: catalog.subgraphs.certification.url,
      }),
    );
    // The subgraph URLs of the settings are deliberately wrong: the file's URLs are the ones used.
    const gateway = await startGateway(
      gatewayConfig({
        ...DEVELOPMENT_ENV,
        PORT: '0',
        LOG_LEVEL: 'silent',
        SUPERGRAPH_PATH: file,
        PRODUCTS_PORT: '1',
        SUPPLIERS_PORT: '1',
        CERTIFICATION_PORT: '1',
      }),
    );
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ platforms { code } region(code: "411423") { county } }' }),
      });
      const body = (await response.json()) as { data: { platforms: unknown[]; region: { county: string } } };
      expect(body.data.platforms.length).toBeGreaterThanOrEqual(3);
      expect(body.data.region.county).toBe('宁陵县');
    } finally {
      await gateway.close();
    }
  });

  it('swaps to a changed supergraph file that composes, and keeps the old one when the file is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rgg-hot-'));
    const file = join(dir, 'supergraph.graphql');
    const urls = subgraphUrlsOf(catalog);
    writeFileSync(file, composeSupergraph(urls));
    const gateway = await startGateway({
      ...gatewayConfig({ ...DEVELOPMENT_ENV, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: 'off', SUPERGRAPH_PATH: file, SUPERGRAPH_POLL_MS: '100' }),
    });
    const queryFields = async () =>
      (await post<{ __type: { fields: { name: string }[] } }>(gateway.url, { query: '{ __type(name: "Query") { fields { name } } }' })).data!.__type.fields.map(
        (field) => field.name,
      );
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 50; i += 1) {
        if (await check()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    };
    try {
      expect(await queryFields()).not.toContain('hotReloadMarker');
      // A new version of the products subgraph's schema adds a field.
      const products = readSubgraphSdl('products').replace('type Query {', 'type Query {\n  hotReloadMarker: String');
      const result = composeServices(
        SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: parse(name === 'products' ? products : readSubgraphSdl(name)) })),
      );
      expect(result.errors).toBeUndefined();
      // A request in flight while the file changes still completes.
      const inFlight = post<{ platforms: unknown[] }>(gateway.url, { query: op('Platforms') });
      writeFileSync(file, result.supergraphSdl!);
      expect((await inFlight).data!.platforms.length).toBeGreaterThan(0);
      expect(await waitFor(async () => (await queryFields()).includes('hotReloadMarker'))).toBe(true);
      writeFileSync(file, 'this is not a supergraph');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await queryFields()).toContain('hotReloadMarker');
      const still = await post<{ platforms: unknown[] }>(gateway.url, { query: op('Platforms') });
      expect(still.data!.platforms.length).toBeGreaterThan(0);
    } finally {
      await gateway.close();
    }
  });

  it('answers /health with 200 and /ready with 200 while every subgraph answers', async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, subgraphs: { products: { up: true }, suppliers: { up: true }, certification: { up: true } } });
  });

  it('exposes Prometheus metrics that count known traffic, and passes its request id to the subgraphs’ logs', async () => {
    const gateway = await startGatewayOver(subgraphUrlsOf(catalog));
    try {
      for (let i = 0; i < 3; i += 1) await post(gateway.url, { query: op('Platforms'), operationName: 'Platforms' });
      await post(gateway.url, { query: op('CatalogPage'), variables: { first: 0 }, operationName: 'CatalogPage' });
      const requestId = `test-${randomBytes(6).toString('hex')}`;
      const traced = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ query: op('ProductDetail'), variables: { id: 'prd_001' } }),
      });
      expect(traced.headers.get('x-request-id')).toBe(requestId);
      const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
      expect(metrics).toMatch(/graphql_requests_total\{operation="Platforms",code="OK"\} 3/);
      expect(metrics).toMatch(/graphql_requests_total\{operation="CatalogPage",code="BAD_USER_INPUT"\} 1/);
      expect(metrics).toMatch(/graphql_errors_total\{operation="CatalogPage",code="BAD_USER_INPUT"\} 1/);
      expect(metrics).toMatch(/graphql_request_duration_seconds_count\{operation="Platforms"\} 3/);
      expect(metrics).toMatch(/subgraph_fetch_duration_seconds_count\{subgraph="products"\} [1-9]/);
      expect(metrics).toMatch(/subgraph_fetch_duration_seconds_count\{subgraph="certification"\} [1-9]/);
      const lines = subgraphLogs.filter((line) => line.includes(requestId)).map((line) => JSON.parse(line) as { service: string });
      expect(new Set(lines.map((line) => line.service))).toEqual(new Set(['products', 'suppliers', 'certification']));
    } finally {
      await gateway.close();
    }
  });

  it('drains on SIGTERM: the request in flight finishes, new ones are refused, the process exits in its grace period', async () => {
    const proxy = await startTcpProxy(catalog.subgraphs.products.port);
    proxy.setDelay(1500);
    const dir = mkdtempSync(join(tmpdir(), 'rgg-drain-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph(subgraphUrlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` })));
    const port = await freePort();
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'gateway', 'index.ts')], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: String(port),
        SUPERGRAPH_PATH: file,
        SHUTDOWN_GRACE_MS: '5000',
        LOG_LEVEL: 'warn',
        SUBGRAPH_SECRET: subgraphSecret(DEVELOPMENT_ENV),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = `http://127.0.0.1:${port}/graphql`;
    try {
      for (let i = 0; ; i += 1) {
        if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok) break;
        if (i > 200) throw new Error('gateway did not start');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
      const inFlight = post<{ product: { name: string } }>(url, { query: '{ product(id: "prd_001") { name } }' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: '{"query":"{ platforms { code } }"}' }),
      ).rejects.toThrow();
      const finished = await inFlight;
      expect(finished.status).toBe(200);
      expect(finished.data!.product.name).toBeTruthy();
      const { code, at } = await exited;
      expect(code).toBe(0);
      expect(at - signalled).toBeLessThan(5000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await proxy.close();
    }
  }, 60_000);

  it('keeps /health at 200 but answers /ready with 503 naming a subgraph that is down', async () => {
    await catalog.stopSubgraph('suppliers');
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { failing: string[]; subgraphs: Record<string, { up: boolean }> };
    expect(body.failing).toEqual(['suppliers']);
    expect(body.subgraphs.products.up).toBe(true);
    // Data from the other subgraphs still flows; the failed part is an error naming the subgraph, with no internal URL.
    const response = await catalog.query<{ product: { name: string; supplier: { name: string } | null } }>(
      '{ product(id: "prd_001") { name supplier { name } } }',
    );
    expect(response.data?.product.name).toBeTruthy();
    const error = response.errors?.[0];
    expect(error?.extensions?.code).toBe('DOWNSTREAM_SERVICE_ERROR');
    expect(error?.extensions?.serviceName).toBe('suppliers');
    expect(JSON.stringify(response.errors)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|stack/);
  });

  it('a subgraph answers /ready with 200 while its store answers, and 503 once its database is gone, /health staying 200; the gateway still answers with the other subgraphs’ data', async () => {
    const ready = await fetch(new URL('/ready', catalog.subgraphs.products.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: 'up' });

    const database = await createTestDatabase('ready');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/graphql`;
    const subgraph = await startSubgraph(suppliersSubgraph, {
      host: '127.0.0.1',
      port,
      peers: { products: catalog.subgraphs.products.url, suppliers: url, certification: catalog.subgraphs.certification.url },
      store: { kind: 'postgres', url: database.url },
      seedDemoData: true,
      secret: subgraphSecret(DEVELOPMENT_ENV),
      developmentSecrets: [],
      cacheMaxAgeSeconds: 300,
      shutdownGraceMs: 1000,
      log: createLogger('suppliers', 'silent'),
      tracing: null,
    });
    const gateway = await startGateway({
      ...gatewayConfig({ ...DEVELOPMENT_ENV, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: 'off', RESPONSE_CACHE: 'off' }),
      subgraphUrls: { products: catalog.subgraphs.products.url, suppliers: url, certification: catalog.subgraphs.certification.url },
    });
    const productAndSupplier = async () => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ product(id: "prd_001") { name supplier { name } } }' }),
      });
      return (await response.json()) as {
        data?: { product: { name: string; supplier: { name: string } | null } };
        errors?: { path?: unknown[]; extensions?: Record<string, unknown> }[];
      };
    };
    try {
      expect((await fetch(new URL('/ready', url))).status).toBe(200);
      expect((await productAndSupplier()).data?.product.supplier?.name).toBeTruthy();
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE ${new URL(database.url).pathname.slice(1)} WITH (FORCE)`);
      await admin.end();
      const gone = await fetch(new URL('/ready', url));
      expect(gone.status).toBe(503);
      // The probe learns that the store is down, not why (no database name, no driver message).
      expect(await gone.json()).toEqual({ status: 'not ready', store: 'down' });
      expect((await fetch(new URL('/health', url))).status).toBe(200);
      // Through the gateway: the product from its own subgraph, its supplier null with an error naming the subgraph.
      const answer = await productAndSupplier();
      expect(answer.data?.product.name).toBeTruthy();
      expect(answer.data?.product.supplier).toBeNull();
      expect(answer.errors).toEqual([
        expect.objectContaining({ path: ['product', 'supplier'], extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'suppliers' } }),
      ]);
      expect(JSON.stringify(answer)).not.toMatch(/rgg_test|does not exist|database|127\.0\.0\.1/);
    } finally {
      await gateway.close();
      await subgraph.close();
      await database.drop();
    }
  });
});
