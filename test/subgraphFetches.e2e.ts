// How a running gateway spares the subgraphs work, counted in their SQL
// statements and the gateway's metrics: identical reads of one caller in
// flight share one fetch (never between callers with different rights), side
// by side reads of one request to one subgraph go out merged, and repeated
// entity representations are sent once. sharedFetches.test.ts and
// subgraphDataSource.test.ts test the parts alone.
import type { StartedGateway } from '../gateway/server';
import { useCatalog, startGatewayOver, subgraphUrlsOf } from './support/catalogHarness';
import { contractOperation as op } from './support/contract';
import { post } from './support/graphqlHttp';
import { startTcpProxy, type TcpProxy } from './support/tcpProxy';

describe('subgraph fetches of a running gateway', () => {
  const catalog = useCatalog({ backend: 'pglite' });

  describe('sparing the subgraphs work', () => {
    let proxy: TcpProxy;
    let gateway: StartedGateway;

    beforeAll(async () => {
      // Held back 300 ms on the way to products, so concurrent requests are surely in flight together.
      proxy = await startTcpProxy(catalog.subgraphs.products.port);
      gateway = await startGatewayOver(subgraphUrlsOf(catalog, { products: `http://127.0.0.1:${proxy.port}/graphql` }), { RESPONSE_CACHE: 'off' });
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
});
