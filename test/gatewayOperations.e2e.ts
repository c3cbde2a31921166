// Operating the gateway: health and readiness, and serving a supergraph file;
// a subgraph's own readiness follows its store.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { composeSupergraph } from '../gateway/supergraph';
import pg from 'pg';
import { subgraphSecret } from '../common/identity';
import { createLogger } from '../common/logging';
import { startSubgraph } from '../common/subgraphProcess';
import { suppliersSubgraph } from '../subgraphs/suppliers/server';
import { ADMIN_DATABASE_URL, createTestDatabase, freePort, startCatalog, type Catalog } from './support/catalogHarness';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';

describe('gateway health, readiness and supergraph file', () => {
  let catalog: Catalog;

  beforeAll(async () => {
    catalog = await startCatalog({ backend: 'pglite' });
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

  it('answers /health with 200 and /ready with 200 while every subgraph answers', async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const ready = await fetch(`${base()}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, subgraphs: { products: { up: true }, suppliers: { up: true }, certification: { up: true } } });
  });

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
