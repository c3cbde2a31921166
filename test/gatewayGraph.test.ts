// The gateway's own features on the composed graph in process: query limits
// refuse an operation over depth, aliases or cost before any subgraph is
// called (no SQL statement), and the fetch layers send repeated entity
// representations once and merge side-by-side reads of one request to one
// subgraph (lining up the plan's fetches so that more of them do). Through HTTP, with the body limits and the metrics, in
// requestLimits.e2e.ts and subgraphFetches.e2e.ts.
import { startCatalogGraph, type CatalogGraph } from './support/catalogGraph';
import { contractOperation } from './support/contract';
import type { GraphQLResponse } from './support/graphqlHttp';

describe('the gateway’s features on the composed graph', () => {
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

  it('sends each repeated entity representation once and spreads the answer back', async () => {
    const before = graph.savings.collapsed_representations;
    const answer = await graph.query<{ supplier: { products: { edges: { node: { id: string; supplier: { name: string } } }[] } } }>(
      '{ supplier(id: "sup_001") { products(first: 20) { edges { node { id supplier { name } } } } } }',
    );
    expect(answer.errors).toBeUndefined();
    const nodes = answer.data!.supplier.products.edges.map((edge) => edge.node);
    expect(nodes.length).toBeGreaterThan(1);
    for (const node of nodes) expect(node.supplier).toEqual(nodes[0].supplier);
    // Every product names supplier sup_001: one representation went to the suppliers subgraph for all of them.
    expect(graph.savings.collapsed_representations - before).toBeGreaterThanOrEqual(nodes.length - 1);
  });

  it('merges the reads of one request that go to the same subgraph side by side into one request', async () => {
    const merged = graph.savings.merged_fetch;
    const statements = graph.subgraphs.suppliers.sqlStatements();
    const answer = await graph.query<{ products: { edges: { node: { origin: { county: string }; supplier: { region: { code: string } } } }[] } }>(
      '{ products(first: 5) { edges { node { origin { county } supplier { region { code } } } } } }',
    );
    expect(answer.errors).toBeUndefined();
    for (const { node } of answer.data!.products.edges) {
      expect(node.origin.county).toBeTruthy();
      expect(node.supplier.region.code).toMatch(/^\d{6}$/);
    }
    // Origins (Region entities) and suppliers (Supplier entities) are two fetches in the plan: one request, and one region lookup for both.
    expect(graph.savings.merged_fetch - merged).toBe(1);
    expect(graph.subgraphs.suppliers.sqlStatements() - statements).toBe(2);
  });

  it('asks each subgraph once for a product’s detail: the certification fetches go out together', async () => {
    const before = { ...graph.requests };
    const answer = await graph.query<{
      product: { supplier: { region: { code: string } }; origin: { county: string }; reliefEligibility: { eligible: boolean }; certification: unknown };
    }>(contractOperation('ProductDetail'), { id: 'prd_001' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.product.origin.county).toBeTruthy();
    expect(answer.data!.product.supplier.region.code).toMatch(/^\d{6}$/);
    expect(typeof answer.data!.product.reliefEligibility.eligible).toBe('boolean');
    expect(answer.data!.product).toHaveProperty('certification');
    // Five fetches in Apollo's plan; the two of suppliers and the two of certification each go out as one request.
    expect(Object.fromEntries(Object.entries(graph.requests).map(([name, count]) => [name, count - before[name as keyof typeof before]]))).toEqual({
      products: 1,
      suppliers: 1,
      certification: 1,
    });
  });
});
