// Operating the gateway: health and readiness, and serving a supergraph file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { composeSupergraph } from '../gateway/supergraph';
import { startCatalog, type Catalog } from './support/catalogHarness';
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
    writeFileSync(file, composeSupergraph({
      products: catalog.subgraphs.products.url,
      suppliers: catalog.subgraphs.suppliers.url,
      certification: catalog.subgraphs.certification.url,
    }));
    // The subgraph URLs of the settings are deliberately wrong: the file's URLs are the ones used.
    const gateway = await startGateway(
      gatewayConfig({ ...DEVELOPMENT_ENV, PORT: '0', LOG_LEVEL: 'silent', SUPERGRAPH_PATH: file, PRODUCTS_PORT: '1', SUPPLIERS_PORT: '1', CERTIFICATION_PORT: '1' }),
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
});
