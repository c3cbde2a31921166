// Limits a running gateway checks before any subgraph is called: fields
// (QUERY_TOO_COMPLEX naming the limit), the body size with and without a
// token (REQUEST_TOO_LARGE), and the document's tokens and selections before
// Apollo validates it. The measuring itself is tested alone in
// queryLimits.test.ts and documentLimits.test.ts, depth, aliases and cost on
// the composed graph in process in gatewayGraph.test.ts.
import { useCatalog, useGateway, startGatewayOver, subgraphUrlsOf } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { post } from './support/graphqlHttp';

describe('request limits of a running gateway', () => {
  const catalog = useCatalog({ backend: 'pglite' });

  describe('limits checked before any subgraph is called', () => {
    const gateway = useGateway(() =>
      startGatewayOver(subgraphUrlsOf(catalog), {
        MAX_QUERY_DEPTH: '6',
        MAX_QUERY_ALIASES: '3',
        MAX_QUERY_FIELDS: '60',
        MAX_QUERY_COST: '2000',
        MAX_BODY_BYTES: '4096',
      }),
    );

    it('refuses too many fields and a body over the size limit', async () => {
      const wide = `{ product(id: "prd_001") { ${Array.from({ length: 70 }, () => 'name').join(' ')} } }`;
      const tooWide = await post(gateway.url, { query: wide });
      expect(tooWide.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxFields' });
      const big = await post(gateway.url, { query: `{ platforms { code } } # ${'x'.repeat(5000)}` });
      expect(big.status).toBe(413);
      expect(big.errors?.[0].extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', limit: 4096 });
    });

    it('reads at most MAX_ANONYMOUS_BODY_BYTES without a token, the full MAX_BODY_BYTES with one', async () => {
      const roomy = await startGatewayOver(subgraphUrlsOf(catalog), { MAX_BODY_BYTES: '200000', MAX_ANONYMOUS_BODY_BYTES: '20000' });
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
      const limited = await startGatewayOver(subgraphUrlsOf(catalog), { MAX_QUERY_TOKENS: '200', MAX_QUERY_SELECTIONS: '100' });
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
});
