// One subgraph down at a time: every partner operation of the contract (and
// the staff queries) still returns what the other subgraphs own, with a
// DOWNSTREAM_SERVICE_ERROR naming the missing subgraph at the path of each
// field it would have answered. Null there means "unknown now", never "no".
// A slow subgraph times out, a failed read is retried once (a mutation
// never), and a subgraph killed under a stream of requests is back in the
// answers as soon as it is, with no gateway restart.
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import type { StartedGateway } from '../gateway/server';
import { startExtraGateway, startGatewayOver, subgraphUrlsOf, useCatalog } from './support/catalogHarness';
import { contractOperations } from './support/contract';
import { post, type GraphQLResponse } from './support/graphqlHttp';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy';

const operations = contractOperations.filter((operation) => /^\s*query\b/.test(operation.query));

type Path = (string | number)[];

/** Every leaf of `value` with its path. */
function leaves(value: unknown, path: Path = []): [Path, unknown][] {
  if (value === null || typeof value !== 'object') return [[path, value]];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  if (entries.length === 0) return [[path, value]];
  return entries.flatMap(([key, item]) => leaves(item, [...path, key]));
}

const startsWith = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
const at = (value: unknown, path: Path) =>
  path.reduce<unknown>((node, key) => (node === null || node === undefined ? node : (node as Record<string, unknown>)[key as string]), value);

// A staff query whose root list holds products cannot survive the products
// subgraph: Certification.product and Product.name are non-null, and the
// contract allows only the three certification fields to become nullable.
const NOT_EXPECTED: Partial<Record<SubgraphName, string[]>> = { products: ['CertificationQueue'] };

const PRODUCT_AND_REGION = '{ product(id: "prd_001") { name supplier { name } } region(code: "411423") { county } }';

describe('one subgraph down', () => {
  const catalog = useCatalog({ backend: 'pglite' });
  let certifier: string;
  const variables: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    certifier = catalog.token('outage', ['certifier']);
    const some = await catalog.query<{ products: { edges: { node: { id: string; gtin: string | null; supplier: { id: string } } }[] } }>(
      '{ products(first: 50) { edges { node { id gtin supplier { id } } } } }',
    );
    const product = some.data!.products.edges.map((edge) => edge.node).find((node) => node.gtin)!;
    const queue = await catalog.query<{ certifications: { edges: { node: { id: string } }[] } }>(
      '{ certifications(status: APPROVED, first: 1) { edges { node { id } } } }',
      {},
      certifier,
    );
    Object.assign(variables, {
      CatalogPage: { first: 5 },
      ProductDetail: { id: product.id },
      ProductByGtin: { gtin: product.gtin },
      SupplierWithProducts: { id: product.supplier.id, first: 5 },
      Suppliers: { first: 5 },
      Region: { code: '411423' },
      Platforms: {},
      CertificationQueue: { status: 'APPROVED', first: 5 },
      CertificationHistory: { id: queue.data!.certifications.edges[0].node.id },
    });
  }, 120_000);

  test.each(SUBGRAPH_NAMES)(
    'with %s down, the rest of every answer arrives',
    async (down) => {
      const run = (name: string, query: string) => catalog.query(query, variables[name], certifier);
      const baseline = new Map<string, GraphQLResponse>();
      for (const { name, query } of operations) {
        const response = await run(name, query);
        expect(response.errors).toBeUndefined();
        baseline.set(name, response);
      }
      const outcomes = new Map<string, GraphQLResponse>();
      await catalog.stopSubgraph(down);
      try {
        for (const { name, query } of operations) {
          if (NOT_EXPECTED[down]?.includes(name)) continue;
          const response = await run(name, query);
          const expected = baseline.get(name)!;
          const errors = response.errors ?? [];
          for (const error of errors) {
            expect({ operation: name, code: error.extensions?.code, serviceName: error.extensions?.serviceName }).toEqual({
              operation: name,
              code: 'DOWNSTREAM_SERVICE_ERROR',
              serviceName: down,
            });
            expect(error.path).toBeDefined();
            expect(error.path).not.toContain('@');
            expect(error.message).not.toMatch(/http:|127\.0\.0\.1|ECONNREFUSED/);
            // The error sits where a value is now missing.
            expect(at(response.data, error.path!) ?? null).toBeNull();
          }
          // Everything not under an error's path is what it was with every subgraph up.
          const differing = leaves(expected.data)
            .filter(([path]) => !errors.some((error) => startsWith(path, error.path ?? [])))
            .filter(([path, value]) => JSON.stringify(at(response.data, path)) !== JSON.stringify(value))
            .map(([path]) => `${name}: ${path.join('.')}`);
          expect(differing).toEqual([]);
          outcomes.set(name, response);
        }
        const paths = (name: string) => (outcomes.get(name)!.errors ?? []).map((error) => error.path!.join('.'));
        if (down === 'certification') {
          // The page is there; each product's certification facts are unknown, each with its error.
          expect(outcomes.get('CatalogPage')!.data).not.toBeNull();
          expect(paths('CatalogPage')).toEqual(expect.arrayContaining(['products.edges.0.node.reliefCertified', 'products.edges.4.node.reliefCertified']));
          expect(paths('ProductDetail').sort()).toEqual(['product.certification', 'product.reliefCertified', 'product.reliefEligibility']);
        }
        if (down === 'suppliers') {
          // Unknown is not false: no eligibility is guessed without the supplier's facts.
          expect((outcomes.get('ProductDetail')!.data as { product: { reliefEligibility: unknown } }).product.reliefEligibility).toBeNull();
          expect(paths('ProductDetail').sort()).toEqual(['product.origin', 'product.reliefEligibility', 'product.supplier']);
        }
        if (down === 'products') expect(paths('CatalogPage')).toEqual(['products']);
      } finally {
        await catalog.restartSubgraph(down);
      }
    },
    120_000,
  );

  describe('when a subgraph fails', () => {
    let proxy: TcpProxy;
    let gateway: StartedGateway;

    beforeEach(async () => {
      proxy = await startTcpProxy(catalog.subgraphs.products.port);
      gateway = await startGatewayOver(subgraphUrlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` }), {
        SUBGRAPH_TIMEOUT_MS: '400',
        SUBGRAPH_RETRIES: '1',
      });
    });
    afterEach(async () => {
      await gateway.close();
      await proxy.close();
    });

    it('times a slow subgraph out and still answers with the other subgraphs’ data, naming the path and a stable code', async () => {
      proxy.setDelay(3000);
      const started = Date.now();
      const response = await post<{ product: null; region: { county: string } }>(gateway.url, { query: PRODUCT_AND_REGION });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ product: null, region: { county: '宁陵县' } });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]).toMatchObject({
        message: 'The products subgraph did not answer in time.',
        path: ['product'],
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' },
      });
      expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|stack|ECONN/);
    });

    it('retries a failed read once, but never a mutation', async () => {
      proxy.failNext(1);
      const read = await post<{ product: { name: string } }>(gateway.url, { query: '{ product(id: "prd_001") { name } }' });
      expect(read.errors).toBeUndefined();
      expect(read.data!.product.name).toBeTruthy();
      expect(proxy.connections()).toBe(2);

      const certifier = catalog.token('retry-test', ['certifier']);
      const before = proxy.connections();
      proxy.failNext(1);
      // A new gateway connection pool is not guaranteed: force a fresh connection by waiting for the idle one to be cut.
      const write = await post(
        gateway.url,
        { query: 'mutation { registerPlatform(code: "retry-test", name: "重试测试") { code } }' },
        { authorization: `Bearer ${certifier}` },
      );
      if (proxy.connections() > before) {
        // The mutation met the cut connection: it failed and was not sent again.
        expect(write.errors?.[0].extensions?.code).toBe('DOWNSTREAM_SERVICE_ERROR');
        expect(proxy.connections()).toBe(before + 1);
        const [{ count }] = await catalog.stores.products.sql.query<{ count: number }>("SELECT count(*)::int AS count FROM platform WHERE code = 'retry-test'");
        expect(count).toBe(0);
      } else {
        // It went over the kept-alive connection: exactly one write.
        expect(write.errors).toBeUndefined();
      }
    });
  });

  it('keeps answering while a subgraph is killed in the middle of a stream of requests, and recovers when it is back, with no restart', async () => {
    // Without the response cache, so every request really reaches the subgraphs.
    const gateway = await startExtraGateway(catalog, { RESPONSE_CACHE: 'off' });
    const seen: { at: number; ok: boolean; partial: boolean }[] = [];
    let done = false;
    const stream = (async () => {
      while (!done) {
        const response = await post<{ product: { name: string; supplier: { name: string } | null } }>(gateway.url, { query: PRODUCT_AND_REGION });
        expect(response.status).toBe(200);
        expect(response.data?.product.name).toBeTruthy();
        const partial = response.data?.product.supplier === null;
        if (partial) {
          // Errors name the failed subgraph and where its data was missing (the supplier entity; the region too when fetched apart).
          expect(response.errors).toEqual(
            expect.arrayContaining([
              expect.objectContaining({ path: ['product', 'supplier'], extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'suppliers' } }),
            ]),
          );
          for (const error of response.errors ?? []) expect(error.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'suppliers' });
        }
        seen.push({ at: Date.now(), ok: !response.errors, partial });
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 800));
    await catalog.stopSubgraph('suppliers');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(new URL('/ready', gateway.url));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing: string[] }).failing).toEqual(['suppliers']);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await catalog.restartSubgraph('suppliers');
    await new Promise((resolve) => setTimeout(resolve, 800));
    done = true;
    await stream;
    expect(seen.some((entry) => entry.partial)).toBe(true);
    const firstPartial = seen.findIndex((entry) => entry.partial);
    expect(seen.slice(0, firstPartial).every((entry) => entry.ok)).toBe(true);
    expect(seen[seen.length - 1].ok).toBe(true);
    expect((await fetch(new URL('/ready', gateway.url))).status).toBe(200);
    await gateway.close();
  });
});
