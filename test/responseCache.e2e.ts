// The response cache end to end: two gateway replicas on one Redis serve
// repeated anonymous reads from it (never staff reads), answer a hit with the
// stored text, keep it through mutations that wrote nothing, and drop it on
// the next read after a certification or listing change, or once a
// certificate passes its validUntil.
import { randomBytes } from 'node:crypto';
import type { StartedGateway } from '../gateway/server';
import { useCatalog, useGateway, startExtraGateway } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { post } from './support/graphqlHttp';
import { dropRedisKeys, REDIS_URL } from './support/sharedRedis';

describe('the response cache through the gateway', () => {
  const catalog = useCatalog({ backend: 'pglite' });

  describe('response cache across two replicas on one Redis', () => {
    const prefix = `rgg-test-${randomBytes(4).toString('hex')}:`;
    const env = { RESPONSE_CACHE: 'on', REDIS_URL, REDIS_KEY_PREFIX: prefix };
    const a = useGateway(() => startExtraGateway(catalog, env));
    const b = useGateway(() => startExtraGateway(catalog, env));
    afterAll(() => dropRedisKeys(prefix));

    const detail = async (gateway: StartedGateway, id: string, token?: string) =>
      post<{ product: { reliefCertified: boolean; certification: { status: string; id: string } | null } }>(
        gateway.url,
        { query: op('ProductDetail'), variables: { id } },
        token ? { authorization: `Bearer ${token}` } : {},
      );
    const cacheHits = async (gateway: StartedGateway) => {
      const text = await (await fetch(new URL('/metrics', gateway.url))).text();
      return Number(/response_cache_lookups_total\{result="hit"\} (\d+)/.exec(text)?.[1] ?? 0);
    };

    it('serves repeated anonymous reads from the cache, shared by both replicas, and never staff reads', async () => {
      const before = catalog.sqlStatements();
      const first = await detail(a, 'prd_010');
      const statementsForFirst = catalog.sqlStatements() - before;
      expect(statementsForFirst).toBeGreaterThan(0);
      const hitsBefore = await cacheHits(b);
      const second = await detail(b, 'prd_010');
      expect(second.data).toEqual(first.data);
      expect(await cacheHits(b)).toBe(hitsBefore + 1);
      expect(catalog.sqlStatements() - before).toBe(statementsForFirst);

      const certifier = catalog.token('cache-test', ['certifier']);
      const staffBefore = catalog.sqlStatements();
      await detail(a, 'prd_010', certifier);
      await detail(a, 'prd_010', certifier);
      expect(catalog.sqlStatements() - staffBefore).toBeGreaterThanOrEqual(2 * statementsForFirst);
    });

    it('answers a hit with the stored text, for POST and for a preflighted GET, with how long it may still be kept', async () => {
      const first = await detail(a, 'prd_011');
      expect(first.errors).toBeUndefined();
      const hitsBefore = await cacheHits(a);
      const again = await detail(a, 'prd_011');
      expect(again.data).toEqual(first.data);
      expect(again.headers.get('cache-control')).toMatch(/^max-age=([1-9]|[1-5]\d|60), public$/);
      const url = new URL(a.url);
      url.searchParams.set('query', op('ProductDetail'));
      url.searchParams.set('variables', JSON.stringify({ id: 'prd_011' }));
      const viaGet = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
      expect(viaGet.status).toBe(200);
      expect(((await viaGet.json()) as { data: unknown }).data).toEqual(first.data);
      expect(await cacheHits(a)).toBe(hitsBefore + 2);
      // A GET a browser could send cross-site without a preflight is refused by Apollo's CSRF
      // prevention; the cache does not answer it either.
      const simpleGet = await fetch(url);
      expect(simpleGet.status).toBe(400);
      expect(await cacheHits(a)).toBe(hitsBefore + 2);
    });

    it('keeps every cached answer through mutations that wrote nothing: anonymous, refused or bad input', async () => {
      const certifier = catalog.token('cache-test', ['certifier']);
      const partner = catalog.token('cache-partner', ['partner'], { platform: 'jd' });
      await detail(a, 'prd_012');
      const refusals: [Record<string, string>, string, Record<string, unknown>, string][] = [
        [{}, op('RejectCertification'), { id: 'cert_none', expectedVersion: 1, reason: 'anonymous' }, 'UNAUTHENTICATED'],
        [{}, `mutation { a: registerPlatform(code: "x1", name: "X") { code } }`, {}, 'UNAUTHENTICATED'],
        [{ authorization: `Bearer ${partner}` }, op('RejectCertification'), { id: 'cert_none', expectedVersion: 1, reason: 'partner' }, 'FORBIDDEN'],
        [{ authorization: `Bearer ${certifier}` }, op('RejectCertification'), { id: 'cert_none', expectedVersion: 1, reason: 'missing' }, 'NOT_FOUND'],
        [{ authorization: `Bearer ${certifier}` }, op('RejectCertification'), { id: 'cert_none', expectedVersion: 1, reason: '  ' }, 'BAD_USER_INPUT'],
        [{ authorization: `Bearer ${certifier}` }, `mutation { registerPlatform(code: 1) { code } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
      ];
      for (const [headers, query, variables, code] of refusals) {
        const refused = await post(b.url, { query, variables }, headers);
        expect(refused.errors?.[0].extensions?.code).toBe(code);
        const hits = await cacheHits(a);
        await detail(a, 'prd_012');
        expect({ code, hit: (await cacheHits(a)) - hits }).toEqual({ code, hit: 1 });
      }
      // A mutation that wrote empties it, as before.
      const registered = await post(
        b.url,
        { query: `mutation { registerPlatform(code: "cachetest", name: "缓存测试") { code } }` },
        { authorization: `Bearer ${certifier}` },
      );
      expect(registered.errors).toBeUndefined();
      const hits = await cacheHits(a);
      await detail(a, 'prd_012');
      expect(await cacheHits(a)).toBe(hits);
    });

    it('shows a certification change made through one replica on the very next read through both', async () => {
      const certifier = catalog.token('cache-test', ['certifier']);
      const target = (await detail(a, 'prd_002')).data!.product;
      expect(target.reliefCertified).toBe(true);
      await detail(b, 'prd_002');
      const { data } = await post<{ product: { certification: { id: string; version: number } } }>(
        b.url,
        { query: 'query($id: ID!) { product(id: $id) { certification { id version } } }', variables: { id: 'prd_002' } },
        { authorization: `Bearer ${certifier}` },
      );
      const revoked = await post(
        b.url,
        {
          query: op('RevokeCertification'),
          variables: { id: data!.product.certification.id, expectedVersion: data!.product.certification.version, reason: 'cache test' },
        },
        { authorization: `Bearer ${certifier}` },
      );
      expect(revoked.errors).toBeUndefined();
      for (const gateway of [a, b]) {
        const after = (await detail(gateway, 'prd_002')).data!.product;
        expect(after.reliefCertified).toBe(false);
        expect(after.certification?.status).toBe('REVOKED');
      }
    });

    it('shows a listing change pushed through one replica on the very next read through the other', async () => {
      const lowest = async (gateway: StartedGateway) =>
        (
          await post<{ product: { priceRange: { min: { amount: string } } } }>(gateway.url, {
            query: '{ product(id: "prd_003") { priceRange { min { amount } } } }',
          })
        ).data!.product.priceRange.min.amount;
      const before = await lowest(a);
      expect(await lowest(a)).toBe(before);
      const partner = catalog.token('cache-partner', ['partner'], { platform: 'douyin' });
      const pushed = await post(
        b.url,
        {
          query: `mutation($listings: [ListingInput!]!) { upsertListings(platform: "douyin", listings: $listings) { updated created } }`,
          variables: {
            listings: [
              {
                platformSku: 'cache-test-1',
                title: '宁陵白蜡皮酥梨 4.5kg',
                price: '1.00',
                unit: '4.5kg箱',
                supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
                supplierRegionCode: '411423',
              },
            ],
          },
        },
        { authorization: `Bearer ${partner}` },
      );
      expect(pushed.errors).toBeUndefined();
      const after = await lowest(a);
      expect(after).toBe('1.00');
      expect(after).not.toBe(before);
    });

    it('never serves a certificate past its validUntil', async () => {
      const certifier = catalog.token('cache-test', ['certifier']);
      const validUntil = new Date(Date.now() + 3000).toISOString();
      const certified = await post<{ certifyProducts: { certified: unknown[] } }>(
        b.url,
        { query: op('CertifyProducts'), variables: { productIds: ['prd_012'], validUntil } },
        { authorization: `Bearer ${certifier}` },
      );
      expect(certified.data!.certifyProducts.certified).toHaveLength(1);
      expect((await detail(a, 'prd_012')).data!.product.reliefCertified).toBe(true);
      expect((await detail(a, 'prd_012')).data!.product.reliefCertified).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, Date.parse(validUntil) - Date.now() + 100));
      for (const gateway of [a, b]) {
        const after = (await detail(gateway, 'prd_012')).data!.product;
        expect(after.reliefCertified).toBe(false);
        expect(after.certification?.status).toBe('EXPIRED');
      }
    });
  });
});
