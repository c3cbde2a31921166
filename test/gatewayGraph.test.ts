// The gateway's own Apollo plugins on the composed graph in process: query
// limits refuse an operation over depth, aliases or cost before any subgraph
// is called (no SQL statement). Through HTTP, with the body limits, in
// requestLimits.e2e.ts.
import { startCatalogGraph, type CatalogGraph } from './support/catalogGraph';
import type { GraphQLResponse } from './support/graphqlHttp';

describe('query limits on the composed graph', () => {
  let graph: CatalogGraph;
  beforeAll(async () => {
    graph = await startCatalogGraph({
      gatewayEnv: { MAX_QUERY_DEPTH: '6', MAX_QUERY_ALIASES: '3', MAX_QUERY_FIELDS: '60', MAX_QUERY_COST: '2000' },
    });
  }, 120_000);
  afterAll(async () => {
    await graph?.close();
  });

  const statementsDuring = async (work: () => Promise<unknown>) => {
    const before = graph.sqlStatements();
    await work();
    return graph.sqlStatements() - before;
  };

  it.each([
    ['maxDepth', '{ suppliers(first: 1) { edges { node { products(first: 1) { edges { node { supplier { name } } } } } } } }'],
    ['maxAliases', '{ a: platforms { code } b: platforms { code } c: platforms { code } d: platforms { code } }'],
    ['maxCost', '{ products(first: 100) { edges { node { id name listings { price { amount } } } } } }'],
  ])('refuses a query over %s with QUERY_TOO_COMPLEX naming the limit and the measured value', async (limit, query) => {
    let response: GraphQLResponse | undefined;
    const statements = await statementsDuring(async () => {
      response = await graph.query(query);
    });
    expect(response!.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
    expect(typeof response!.errors?.[0].extensions?.measured).toBe('number');
    expect(response!.errors?.[0].message).toMatch(/\d+/);
    expect(statements).toBe(0);
  });

  it('answers an operation within the limits, asking the subgraphs', async () => {
    let response: GraphQLResponse<{ platforms: { code: string }[] }> | undefined;
    const statements = await statementsDuring(async () => {
      response = await graph.query<{ platforms: { code: string }[] }>('{ platforms { code } product(id: "prd_001") { name supplier { name } } }');
    });
    expect(response!.errors).toBeUndefined();
    expect(response!.data!.platforms.length).toBeGreaterThan(0);
    expect(statements).toBeGreaterThan(0);
  });
});
