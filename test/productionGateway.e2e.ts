// The production gateway, through real processes and servers on loopback:
// subgraph failures, limits, rate limiting, persisted queries, the response
// cache across replicas on Redis, metrics, hot reload and drain on SIGTERM.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import Redis from 'ioredis';
import { parse } from 'graphql';
import { createLogger } from '../common/logging';
import { subgraphSecret } from '../common/identity';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { gatewayConfig } from '../gateway/config';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { startGateway, type StartedGateway } from '../gateway/server';
import { composeSupergraph, readSubgraphSdl } from '../gateway/supergraph';
import { buildManifest } from '../gateway/trustedDocuments';
import { freePort, startCatalog, startExtraGateway, type Catalog } from './support/catalogHarness';
import { post, type GraphQLResponse } from './support/graphqlHttp';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = join(__dirname, '..');
const contract = new Map(readContractOperations(defaultContractDir()).map((operation) => [operation.name, operation.query]));
const op = (name: string) => contract.get(name)!;

function urlsOf(catalog: Catalog, overrides: Partial<Record<SubgraphName, string>> = {}): Record<SubgraphName, string> {
  return { ...(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, catalog.subgraphs[name].url])) as Record<SubgraphName, string>), ...overrides };
}

async function gatewayOver(urls: Record<SubgraphName, string>, env: Record<string, string> = {}): Promise<StartedGateway> {
  return startGateway({ ...gatewayConfig({ ...DEVELOPMENT_ENV, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: 'off', ...env }), subgraphUrls: urls });
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

const PRODUCT_AND_REGION = '{ product(id: "prd_001") { name supplier { name } } region(code: "411423") { county } }';

describe('production gateway', () => {
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

  describe('when a subgraph fails', () => {
    let proxy: TcpProxy;
    let gateway: StartedGateway;

    beforeEach(async () => {
      proxy = await startTcpProxy(catalog.subgraphs.products.port);
      gateway = await gatewayOver(urlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` }), {
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

  describe('limits checked before any subgraph is called', () => {
    let gateway: StartedGateway;
    beforeAll(async () => {
      gateway = await gatewayOver(urlsOf(catalog), {
        MAX_QUERY_DEPTH: '6',
        MAX_QUERY_ALIASES: '3',
        MAX_QUERY_FIELDS: '60',
        MAX_QUERY_COST: '2000',
        MAX_BODY_BYTES: '4096',
      });
    });
    afterAll(() => gateway.close());

    const statementsDuring = async (work: () => Promise<unknown>) => {
      const before = catalog.sqlStatements();
      await work();
      return catalog.sqlStatements() - before;
    };

    it.each([
      ['maxDepth', '{ suppliers(first: 1) { edges { node { products(first: 1) { edges { node { supplier { name } } } } } } } }'],
      ['maxAliases', '{ a: platforms { code } b: platforms { code } c: platforms { code } d: platforms { code } }'],
      ['maxCost', '{ products(first: 100) { edges { node { id name listings { price { amount } } } } } }'],
    ])('refuses a query over %s with QUERY_TOO_COMPLEX naming the limit and the measured value', async (limit, query) => {
      let response: GraphQLResponse | undefined;
      const statements = await statementsDuring(async () => {
        response = await post(gateway.url, { query });
      });
      expect(response!.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
      expect(typeof response!.errors?.[0].extensions?.measured).toBe('number');
      expect(response!.errors?.[0].message).toMatch(/\d+/);
      expect(statements).toBe(0);
    });

    it('refuses too many fields and a body over the size limit', async () => {
      const wide = `{ product(id: "prd_001") { ${Array.from({ length: 70 }, () => 'name').join(' ')} } }`;
      const tooWide = await post(gateway.url, { query: wide });
      expect(tooWide.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields' });
      const big = await post(gateway.url, { query: `{ platforms { code } } # ${'x'.repeat(5000)}` });
      expect(big.status).toBe(413);
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', limit: 4096 });
    });

    it('reads at most MAX_ANONYMOUS_BODY_BYTES without a token, the full MAX_BODY_BYTES with one', async () => {
      const roomy = await gatewayOver(urlsOf(catalog), { MAX_BODY_BYTES: '200000', MAX_ANONYMOUS_BODY_BYTES: '20000' });
      try {
        const body = { query: `{ platforms { code } } # ${'x'.repeat(50_000)}` };
        const anonymous = await post(roomy.url, body);
        expect(anonymous.status).toBe(413);
        expect(anonymous.errors?.[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', limit: 20000 });
        const partner = await post(roomy.url, body, { authorization: `Bearer ${catalog.token('body-test', ['partner'], { platform: 'jd' })}` });
        expect(partner.status).toBe(200);
        expect(partner.errors).toBeUndefined();
        // A bad token is read as anonymous before it is refused.
        expect((await post(roomy.url, body, { authorization: 'Bearer not-a-token' })).status).toBe(413);
      } finally {
        await roomy.close();
      }
    });

    it('refuses a document over the token limit or the validation budget before Apollo validates it', async () => {
      const limited = await gatewayOver(urlsOf(catalog), { MAX_QUERY_TOKENS: '200', MAX_QUERY_SELECTIONS: '100' });
      try {
        // Unknown fields: had validation run, the answer would be GRAPHQL_VALIDATION_FAILED.
        const long = await post(limited.url, { query: `{ ${'unknownField '.repeat(300)} }` });
        expect(long.status).toBe(400);
        expect(long.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens', max: 200 } })]);
        const fragments = `query { ...F0 } ${Array.from({ length: 8 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(' ')} fragment F8 on Query { nope }`;
        const expanded = await post(limited.url, { query: fragments });
        expect(expanded.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxSelections', max: 100 } })]);
        // Also by GET, and ordinary operations pass.
        const byGet = await fetch(`${limited.url}?query=${encodeURIComponent(`{ ${'x '.repeat(300)} }`)}`, { headers: { 'apollo-require-preflight': 'true' } });
        expect(byGet.status).toBe(400);
        expect((await post(limited.url, { query: op('ProductDetail'), variables: { id: 'prd_001' } })).errors).toBeUndefined();
      } finally {
        await limited.close();
      }
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
      subgraphUrls: urlsOf(catalog),
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

  describe('rate limiting', () => {
    it('refuses a client over its token bucket with RATE_LIMITED and a retry-after hint, shared by two replicas on Redis', async () => {
      const prefix = `rgg-test-${randomBytes(4).toString('hex')}:`;
      const env = {
        RATE_LIMIT: 'on',
        RATE_LIMIT_ANONYMOUS: '1/s,burst=4',
        // Two clients on one address tell themselves apart by keys the gateway knows.
        RATE_LIMIT_API_KEYS: `client-${prefix},other-${prefix}`,
        REDIS_URL,
        RATE_LIMIT_KEY_PREFIX: prefix,
        REDIS_KEY_PREFIX: prefix,
      };
      const a = await startExtraGateway(catalog, env);
      const b = await startExtraGateway(catalog, env);
      try {
        const results = [];
        for (let i = 0; i < 6; i += 1) {
          results.push(await post((i % 2 ? a : b).url, { query: '{ platforms { code } }' }, { 'x-api-key': `client-${prefix}` }));
        }
        expect(results.filter((r) => r.status === 200)).toHaveLength(4);
        const refused = results.filter((r) => r.status === 429);
        expect(refused).toHaveLength(2);
        expect(refused[0].errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
        expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
        // Another client has its own bucket.
        expect((await post(a.url, { query: '{ platforms { code } }' }, { 'x-api-key': `other-${prefix}` })).status).toBe(200);
        const metrics = await (await fetch(new URL('/metrics', a.url))).text();
        expect(metrics).toMatch(/rate_limit_rejections_total\{role="anonymous"\} [1-9]/);
      } finally {
        await a.close();
        await b.close();
        await dropRedisKeys(prefix);
      }
    });
  });

  describe('persisted queries', () => {
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');

    it('supports automatic persisted queries: a hash, then the full query on a miss', async () => {
      const query = '{ platforms { code name } }';
      const extensions = { persistedQuery: { version: 1, sha256Hash: sha(query) } };
      const miss = await post(catalog.gatewayUrl, { extensions });
      expect(miss.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const register = await post<{ platforms: unknown[] }>(catalog.gatewayUrl, { query, extensions });
      expect(register.data!.platforms.length).toBeGreaterThan(0);
      const hit = await post<{ platforms: unknown[] }>(catalog.gatewayUrl, { extensions });
      expect(hit.data!.platforms).toEqual(register.data!.platforms);
    });

    it('runs only manifest operations with PERSISTED_QUERIES=only, by hash or identical text', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rgg-manifest-'));
      const manifestPath = join(dir, 'manifest.json');
      const manifest = buildManifest([...contract].map(([name, query]) => ({ name, query })));
      writeFileSync(manifestPath, JSON.stringify(manifest));
      const gateway = await gatewayOver(urlsOf(catalog), { PERSISTED_QUERIES: 'only', PERSISTED_QUERY_MANIFEST: manifestPath });
      try {
        const platforms = manifest.operations.find((operation) => operation.name === 'Platforms')!;
        const byHash = await post<{ platforms: unknown[] }>(gateway.url, {
          operationName: 'Platforms',
          extensions: { persistedQuery: { version: 1, sha256Hash: platforms.id } },
        });
        expect(byHash.errors).toBeUndefined();
        expect(byHash.data!.platforms.length).toBeGreaterThan(0);
        // The contract file's own text, with its layout and comments.
        const byText = await post<{ region: { county: string } }>(gateway.url, {
          query: `# partner app build 42\nquery Region($code: ID!) {\n  region(code: $code) { code name county city province designatedPovertyCounty }\n}`,
          variables: { code: '411423' },
        });
        expect(byText.errors).toBeUndefined();
        expect(byText.data!.region.county).toBe('宁陵县');
        const other = await post(gateway.url, { query: '{ platforms { code } }' });
        expect(other.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
        const unknownHash = await post(gateway.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha('{ platforms { code } }') } } });
        expect(unknownHash.errors?.[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      } finally {
        await gateway.close();
      }
    });
  });

  describe('response cache across two replicas on one Redis', () => {
    let a: StartedGateway;
    let b: StartedGateway;
    let prefix: string;

    beforeAll(async () => {
      prefix = `rgg-test-${randomBytes(4).toString('hex')}:`;
      const env = { RESPONSE_CACHE: 'on', REDIS_URL, REDIS_KEY_PREFIX: prefix };
      a = await startExtraGateway(catalog, env);
      b = await startExtraGateway(catalog, env);
    });
    afterAll(async () => {
      await a.close();
      await b.close();
      await dropRedisKeys(prefix);
    });

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

  describe('sparing the subgraphs work', () => {
    let proxy: TcpProxy;
    let gateway: StartedGateway;

    beforeAll(async () => {
      // Held back 300 ms on the way to products, so concurrent requests are surely in flight together.
      proxy = await startTcpProxy(catalog.subgraphs.products.port);
      gateway = await gatewayOver(urlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` }), { RESPONSE_CACHE: 'off' });
    });
    afterAll(async () => {
      await gateway.close();
      await proxy.close();
    });

    const saved = async (subgraph: string, saving: string): Promise<number> => {
      const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
      const match = new RegExp(`subgraph_work_saved_total\\{subgraph="${subgraph}",saving="${saving}"\\} (\\d+)`).exec(metrics);
      return match ? Number(match[1]) : 0;
    };

    it('asks a subgraph once for identical reads of one caller in flight together, and answers each of them', async () => {
      const body = { query: op('ProductDetail'), variables: { id: 'prd_002' } };
      proxy.setDelay(0);
      const alone = await post<{ product: { name: string } }>(gateway.url, body);
      expect(alone.errors).toBeUndefined();
      const statements = catalog.stores.products.statements.value;
      await post(gateway.url, body);
      const perRequest = catalog.stores.products.statements.value - statements;
      expect(perRequest).toBeGreaterThan(0);

      proxy.setDelay(300);
      const before = catalog.stores.products.statements.value;
      const sharedBefore = await saved('products', 'shared_fetch');
      const answers = await Promise.all(Array.from({ length: 6 }, () => post<{ product: { name: string } }>(gateway.url, body)));
      proxy.setDelay(0);
      for (const answer of answers) expect(answer.data).toEqual(alone.data);
      // Six requests, the products subgraph's work of one.
      expect(catalog.stores.products.statements.value - before).toBe(perRequest);
      expect((await saved('products', 'shared_fetch')) - sharedBefore).toBeGreaterThanOrEqual(5);
    });

    it('never shares a fetch between callers with different rights', async () => {
      const [{ product_id: productId }] = await catalog.stores.certification.sql.query<{ product_id: string }>(
        "SELECT product_id FROM certification WHERE status = 'REJECTED' ORDER BY product_id LIMIT 1",
      );
      const query = '{ product(id: "' + productId + '") { id certification { status } } }';
      const certifier = catalog.token('certifier-shared', ['certifier']);
      proxy.setDelay(300);
      const [anonymous, staff] = await Promise.all([
        post<{ product: { certification: { status: string } | null } }>(gateway.url, { query }),
        post<{ product: { certification: { status: string } | null } }>(gateway.url, { query }, { authorization: `Bearer ${certifier}` }),
      ]);
      proxy.setDelay(0);
      expect(staff.data!.product.certification?.status).toBe('REJECTED');
      expect(anonymous.data!.product.certification).toBeNull();
    });

    it('merges the reads of one request that go to the same subgraph side by side into one request', async () => {
      const body = { query: op('CatalogPage'), variables: { first: 5 } };
      const merged = await saved('suppliers', 'merged_fetch');
      const statements = catalog.stores.suppliers.statements.value;
      const answer = await post<{ products: { edges: { node: { origin: { code: string } | null; supplier: { region: { code: string } } | null } }[] } }>(
        gateway.url,
        body,
      );
      expect(answer.errors).toBeUndefined();
      const nodes = answer.data!.products.edges.map((edge) => edge.node);
      expect(nodes).toHaveLength(5);
      for (const node of nodes) {
        expect(node.origin?.code).toMatch(/^\d{6}$/);
        expect(node.supplier?.region.code).toMatch(/^\d{6}$/);
      }
      // Origins (Region entities) and suppliers (Supplier entities) are two
      // fetches in the plan: one request, and one region lookup for both.
      expect((await saved('suppliers', 'merged_fetch')) - merged).toBe(1);
      expect(catalog.stores.suppliers.statements.value - statements).toBe(2);
    });

    it('sends each repeated entity representation once and spreads the answer back', async () => {
      const query = `{ supplier(id: "sup_001") { id products(first: 20) { edges { node { id supplier { id name region { code } } } } } } }`;
      const before = await saved('products', 'collapsed_representations');
      const beforeSuppliers = await saved('suppliers', 'collapsed_representations');
      const answer = await post<{
        supplier: { id: string; products: { edges: { node: { id: string; supplier: { id: string; name: string; region: { code: string } } } }[] } };
      }>(gateway.url, { query });
      expect(answer.errors).toBeUndefined();
      const nodes = answer.data!.supplier.products.edges.map((edge) => edge.node);
      expect(nodes.length).toBeGreaterThan(1);
      for (const node of nodes) expect(node.supplier).toEqual(nodes[0].supplier);
      expect(nodes[0].supplier).toMatchObject({ id: 'sup_001', region: { code: expect.stringMatching(/^\d{6}$/) } });
      // Every product names supplier sup_001: one representation went to the suppliers subgraph for all of them.
      const collapsed =
        (await saved('products', 'collapsed_representations')) - before + (await saved('suppliers', 'collapsed_representations')) - beforeSuppliers;
      expect(collapsed).toBeGreaterThanOrEqual(nodes.length - 1);
    });
  });

  it('exposes Prometheus metrics that count known traffic, and passes its request id to the subgraphs’ logs', async () => {
    const gateway = await gatewayOver(urlsOf(catalog));
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

  it('swaps to a changed supergraph file that composes, and keeps the old one when the file is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rgg-hot-'));
    const file = join(dir, 'supergraph.graphql');
    const urls = urlsOf(catalog);
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

  it('drains on SIGTERM: the request in flight finishes, new ones are refused, the process exits in its grace period', async () => {
    const proxy = await startTcpProxy(catalog.subgraphs.products.port);
    proxy.setDelay(1500);
    const dir = mkdtempSync(join(tmpdir(), 'rgg-drain-'));
    const file = join(dir, 'supergraph.graphql');
    writeFileSync(file, composeSupergraph(urlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` })));
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
});
