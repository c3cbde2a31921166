// A Redis that stops answering (SIGSTOP: its sockets stay open, nothing
// comes back) must not stop the catalog: the cache misses, APQ asks for the
// document, rate limits let requests through, and a mutation still answers.
import { createHash } from 'node:crypto';
import { startCatalog, type Catalog } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { post } from './support/graphqlHttp';
import { startTestRedis, type TestRedis } from './support/redisServer';

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = Date.now();
  const result = await work();
  return { ms: Date.now() - started, result };
}

describe('gateway while Redis does not answer', () => {
  let redis: TestRedis;
  let catalog: Catalog;

  beforeAll(async () => {
    redis = await startTestRedis();
    catalog = await startCatalog({
      backend: 'pglite',
      gatewayEnv: {
        REDIS_URL: redis.url,
        RESPONSE_CACHE: 'on',
        RATE_LIMIT: 'on',
        RATE_LIMIT_ANONYMOUS: '1000/s,burst=1000',
        RATE_LIMIT_CERTIFIER: '1000/s,burst=1000',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await catalog?.close();
    await redis?.stop();
  });

  test('anonymous reads answer within 2 s, a mutation answers, and the cache is stale until Redis is back', async () => {
    const certifier = catalog.token('redis-outage', ['certifier']);
    const listing = await catalog.query<{ products: { edges: { node: { id: string; certification: unknown; reliefEligibility: { eligible: boolean } } }[] } }>(
      '{ products(first: 100) { edges { node { id certification { id } reliefEligibility { eligible } } } } }',
      {},
      certifier,
    );
    const target = listing.data!.products.edges.map((edge) => edge.node).find((node) => node.certification === null && node.reliefEligibility.eligible)!;
    expect(target).toBeDefined();
    const detail = () => catalog.query<{ product: { reliefCertified: boolean } }>(op('ProductDetail'), { id: target.id });
    // Cached under the current catalog version.
    expect((await detail()).data!.product.reliefCertified).toBe(false);
    expect((await detail()).data!.product.reliefCertified).toBe(false);

    redis.pause();
    try {
      const page = await timed(() => catalog.query<{ products: { totalCount: number } }>(op('CatalogPage'), { first: 20 }));
      expect(page.result.errors).toBeUndefined();
      expect(page.result.data!.products.totalCount).toBeGreaterThan(0);
      expect(page.ms).toBeLessThan(2000);

      const before = await timed(detail);
      expect(before.result.data!.product.reliefCertified).toBe(false);
      expect(before.ms).toBeLessThan(2000);

      // An APQ hash alone: Apollo's own answer (send the document), then the document is run.
      const query = op('Platforms');
      const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } };
      const hashOnly = await timed(() => post(catalog.gatewayUrl, { extensions }));
      expect(hashOnly.result.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(hashOnly.ms).toBeLessThan(2000);
      const withDocument = await timed(() => post(catalog.gatewayUrl, { query, extensions }));
      expect(withDocument.result.errors).toBeUndefined();
      expect(withDocument.ms).toBeLessThan(2000);

      const mutation = await timed(() =>
        catalog.query<{ certifyProducts: { certified: { product: { id: string } }[] } }>(
          op('CertifyProducts'),
          { productIds: [target.id], validUntil: inDays(200) },
          certifier,
        ),
      );
      expect(mutation.result.errors).toBeUndefined();
      expect(mutation.result.data!.certifyProducts.certified.map((c) => c.product.id)).toEqual([target.id]);
      expect(mutation.ms).toBeLessThan(2000);

      // The write shows at once: while the new version is not in Redis, the cache is not used.
      const after = await timed(detail);
      expect(after.result.data!.product.reliefCertified).toBe(true);
      expect(after.ms).toBeLessThan(2000);
    } finally {
      redis.resume();
    }
    // Back: the answer from before the write is never served again.
    for (let i = 0; i < 3; i += 1) {
      expect((await detail()).data!.product.reliefCertified).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 60_000);
});
