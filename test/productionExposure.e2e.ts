// What a production gateway shows whoever calls it: no schema hints in error
// messages, no playground unless asked for (and then no staff operations),
// no public /metrics and no metric series per made-up operation name, no
// internal URL when a subgraph refuses the gateway, BAD_USER_INPUT (not
// INTERNAL_SERVER_ERROR) for input only a store would have choked on, no
// introspection, and answers to browsers from allowed origins only.
import { createHash } from 'node:crypto';
import { subgraphSecret } from '../common/identity';
import { mintToken } from '../common/localTokens';
import { gatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { PRODUCTION_AUTH_SECRET, startProductionGateway, subgraphUrlsOf, useCatalog, useGateway } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';
import { bearer, post, type GraphQLResponse } from './support/graphqlHttp';

const cursor = (order: string, key: unknown, id = 'prd_001') => Buffer.from(JSON.stringify([order, key, id]), 'utf8').toString('base64url');
const codes = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

describe('the production gateway shows clients', () => {
  const catalog = useCatalog({ backend: 'pglite' });
  const gateway = useGateway(() => startProductionGateway(catalog));

  describe('no schema through error messages', () => {
    const misspelt = [
      { query: '{ prodcts(first: 1) { totalCount } }' },
      { query: '{ products(frist: 1) { totalCount } }' },
      { query: 'query($order: ProductOrder) { products(first: 1, orderBy: $order) { totalCount } }', variables: { order: 'NAMES' } },
    ];

    it('never suggests names ("Did you mean …") in production', async () => {
      for (const body of misspelt) {
        const response = await post(gateway.url, body);
        expect(response.errors?.length).toBeGreaterThan(0);
        expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|"products"|"first"|"NAME"/);
      }
    });

    it('still suggests them outside production (the control: the same requests do carry them there)', async () => {
      for (const body of misspelt) expect(JSON.stringify((await post(catalog.gatewayUrl, body)).errors)).toMatch(/Did you mean/);
    });
  });

  describe('the playground', () => {
    const page = (url: string) => fetch(new URL('/', url), { headers: { accept: 'text/html' } });

    it('is not served in production unless PLAYGROUND=on', async () => {
      expect((await page(gateway.url)).status).toBe(404);
      expect((await page(catalog.gatewayUrl)).status).toBe(200);
    });

    it('with PLAYGROUND=on preloads the partner operations and none of the staff operations', async () => {
      const withPlayground = await startProductionGateway(catalog, { PLAYGROUND: 'on' });
      try {
        const response = await page(withPlayground.url);
        expect(response.status).toBe(200);
        const html = await response.text();
        expect(html).toContain('CatalogPage');
        expect(html).not.toMatch(/CertificationQueue|ApproveCertification|CertifyProducts/);
        // Outside production every contract operation is there, staff ones included.
        expect(await (await page(catalog.gatewayUrl)).text()).toContain('CertificationQueue');
      } finally {
        await withPlayground.close();
      }
    });
  });

  describe('metrics', () => {
    const scrape = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

    it('are not on the public port in production', async () => {
      expect((await scrape(new URL('/metrics', gateway.url).toString())).status).toBe(404);
      expect(gateway.metricsUrl).toBeNull();
    });

    it('are served on METRICS_PORT, on 127.0.0.1, and not on the public port', async () => {
      const separate = await startProductionGateway(catalog, { METRICS_PORT: '0' });
      try {
        expect(separate.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
        expect(separate.metricsUrl).not.toContain(`:${separate.port}/`);
        const response = await scrape(separate.metricsUrl!);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('graphql_requests_total');
        expect((await scrape(new URL('/metrics', separate.url).toString())).status).toBe(404);
      } finally {
        await separate.close();
      }
    });

    it('behind METRICS_TOKEN answer only with that bearer token', async () => {
      const token = 'a-metrics-token-for-the-scraper';
      const guarded = await startProductionGateway(catalog, { METRICS_TOKEN: token });
      try {
        const url = new URL('/metrics', guarded.url).toString();
        expect((await scrape(url)).status).toBe(401);
        expect((await scrape(url, { authorization: 'Bearer not-the-metrics-token' })).status).toBe(401);
        expect((await scrape(url, { authorization: `Bearer ${token}` })).status).toBe(200);
      } finally {
        await guarded.close();
      }
    });

    it('label only operations of the manifest or the contract; any other name counts as "other"', async () => {
      const separate = await startProductionGateway(catalog, { METRICS_PORT: '0' });
      try {
        const names = Array.from({ length: 25 }, (_, index) => `Invented${index}x${Date.now()}`);
        for (const name of names) await post(separate.url, { query: `query ${name} { platforms { code } }` });
        await post(separate.url, { query: 'query Platforms { platforms { code } }' });
        const text = await (await scrape(separate.metricsUrl!)).text();
        for (const name of names) expect(text).not.toContain(name);
        expect(text).toMatch(/graphql_requests_total\{operation="other",code="OK"\} 25/);
        expect(text).toMatch(/graphql_requests_total\{operation="Platforms",code="OK"\} 1/);
      } finally {
        await separate.close();
      }
    });
  });

  it('a subgraph that refuses the gateway (401: secrets that differ) shows as DOWNSTREAM_SERVICE_ERROR with the subgraph name only', async () => {
    const mismatched = await startProductionGateway(catalog, { SUBGRAPH_SECRET: 'not-the-secret-the-subgraphs-were-given' });
    try {
      const response = await post(mismatched.url, { query: '{ platforms { code } }' });
      expect(response.errors).toEqual([expect.objectContaining({ extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'products' } })]);
      expect(JSON.stringify(response)).not.toMatch(/127\.0\.0\.1|\/graphql|401|Unauthorized|through the gateway|response/);
    } finally {
      await mismatched.close();
    }
  });

  describe('input only a store would choke on is BAD_USER_INPUT', () => {
    const products =
      'query($filter: ProductFilter, $orderBy: ProductOrder, $after: String) { products(first: 2, filter: $filter, orderBy: $orderBy, after: $after) { totalCount } }';

    it('a NUL character in a variable or a literal, before any subgraph is asked', async () => {
      const before = catalog.sqlStatements();
      for (const body of [
        { query: products, variables: { filter: { search: 'pear\u0000' } } },
        { query: 'query($id: ID!) { product(id: $id) { name } }', variables: { id: 'prd_\u0000001' } },
        { query: '{ product(id: "prd_\\u0000001") { name } }' },
        { query: '{ suppliers(first: 1, regionCode: "41\\u0000") { totalCount } }' },
      ]) {
        const response = await post(gateway.url, body);
        expect({ body, status: response.status, codes: codes(response) }).toEqual({ body, status: 400, codes: ['BAD_USER_INPUT'] });
        expect(response.errors![0].message).toMatch(/NUL/);
      }
      expect(catalog.sqlStatements()).toBe(before);
    });

    it('a cursor whose key has the wrong type for its ordering', async () => {
      const cases: [string, Record<string, unknown>, string?][] = [
        [products, { orderBy: 'PRICE_ASC', after: cursor('PRICE_ASC', 'cheap') }],
        [products, { orderBy: 'PRICE_DESC', after: cursor('PRICE_DESC', { amount: 1 }) }],
        [products, { orderBy: 'SALES_DESC', after: cursor('SALES_DESC', 1.5) }],
        [products, { orderBy: 'SALES_DESC', after: cursor('SALES_DESC', '12') }],
        [products, { orderBy: 'UPDATED_DESC', after: cursor('UPDATED_DESC', 'yesterday') }],
        [products, { orderBy: 'NAME', after: cursor('NAME', 12) }],
        [products, { orderBy: 'NAME', after: cursor('NAME', 'a\u0000') }],
        ['query($after: String) { suppliers(first: 2, after: $after) { totalCount } }', { after: cursor('NAME', 7, 'sup_001') }],
        [
          'query($after: String) { certifications(status: APPROVED, first: 2, after: $after) { totalCount } }',
          { after: cursor('CREATED_ASC', 'not a time', 'cert_001') },
          mintToken({ sub: 'cursor-test', roles: ['certifier'] }, PRODUCTION_AUTH_SECRET, 600),
        ],
      ];
      for (const [query, variables, token] of cases) {
        const response = await post(gateway.url, { query, variables }, bearer(token));
        expect({ variables, codes: codes(response) }).toEqual({ variables, codes: ['BAD_USER_INPUT'] });
      }
      // Control: a cursor the connection gave out still works, in every ordering.
      for (const orderBy of ['NAME', 'PRICE_ASC', 'PRICE_DESC', 'SALES_DESC', 'UPDATED_DESC']) {
        const first = await post<{ products: { pageInfo: { endCursor: string } } }>(gateway.url, {
          query: 'query($orderBy: ProductOrder) { products(first: 2, orderBy: $orderBy) { pageInfo { endCursor } } }',
          variables: { orderBy },
        });
        const next = await post(gateway.url, { query: products, variables: { orderBy, after: first.data!.products.pageInfo.endCursor } });
        expect({ orderBy, errors: next.errors }).toEqual({ orderBy, errors: undefined });
      }
    });

    it('an automatic persisted query whose hash is not the hash of its query (HTTP 400)', async () => {
      const query = '{ platforms { code } }';
      const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
      for (const persistedQuery of [
        { version: 1, sha256Hash: sha256('{ platforms { name } }') },
        { version: 1, sha256Hash: 'abc' },
        { version: 2, sha256Hash: sha256(query) },
      ]) {
        const response = await post(gateway.url, { query, extensions: { persistedQuery } });
        expect({ persistedQuery, status: response.status, codes: codes(response) }).toEqual({ persistedQuery, status: 400, codes: ['BAD_USER_INPUT'] });
      }
      const registered = await post(gateway.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      expect(registered.errors).toBeUndefined();
      const byHash = await post(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });
      expect(byHash.data).toEqual(registered.data);
    });

    it('a filter.search longer than 100 characters', async () => {
      const long = await post(gateway.url, { query: products, variables: { filter: { search: '梨'.repeat(101) } } });
      expect(codes(long)).toEqual(['BAD_USER_INPUT']);
      expect(long.errors![0]).toMatchObject({ extensions: { field: 'filter.search' } });
      const longest = await post(gateway.url, { query: products, variables: { filter: { search: '梨'.repeat(100) } } });
      expect(longest.errors).toBeUndefined();
    });
  });

  it('turns introspection off in production and answers browsers only from allowed origins, with CSRF prevention on', async () => {
    const gateway = await startGateway({
      ...gatewayConfig({
        NODE_ENV: 'production',
        AUTH_SECRET: 'a-production-secret-of-at-least-32-characters',
        SUBGRAPH_SECRET: 'a-production-subgraph-secret-of-32-characters',
        PORT: '0',
        LOG_LEVEL: 'silent',
        RATE_LIMIT: 'off',
        CORS_ORIGINS: 'https://shop.example.cn',
      }),
      // The test's subgraphs run on the development secret, which production refuses to be configured with.
      subgraphSecret: subgraphSecret(DEVELOPMENT_ENV),
      subgraphUrls: subgraphUrlsOf(catalog),
    });
    try {
      const introspection = await post(gateway.url, { query: '{ __schema { queryType { name } } }' });
      expect(introspection.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await post<{ platforms: unknown[] }>(gateway.url, { query: op('Platforms') })).data!.platforms.length).toBeGreaterThan(0);
      const preflight = (origin: string) =>
        fetch(gateway.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      expect((await preflight('https://shop.example.cn')).headers.get('access-control-allow-origin')).toBe('https://shop.example.cn');
      expect((await preflight('https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
      // A simple cross-site GET (no preflight) is refused by Apollo's CSRF prevention.
      const csrf = await fetch(`${gateway.url}?query=${encodeURIComponent('{ platforms { code } }')}`, { headers: { accept: 'application/json' } });
      expect(csrf.status).toBe(400);
    } finally {
      await gateway.close();
    }
  });
});
