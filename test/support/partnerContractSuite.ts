// The partner contract, run as the contract's own documents from
// ../shared/contract: the demo catalog page by page in every order, filters,
// lookups, input rules, SQL statements per page, and the certified set at the
// moment of the query. One suite, run twice: on the composed graph in process
// (catalogGraph.test.ts, PGlite) and end to end through real servers on
// PostgreSQL (catalog.e2e.ts).
import { ANONYMOUS, serviceIdentity, type Identity } from '../../common/identity';
import { contractOperation as op } from './contract';
import type { CatalogClient } from './graphqlHttp';

interface Money {
  amount: string;
  currency: string;
}
interface CatalogNode {
  id: string;
  name: string;
  gtin: string | null;
  category: string;
  unit: string | null;
  priceRange: { min: Money; max: Money } | null;
  origin: { code: string; county: string; province: string; designatedPovertyCounty: boolean };
  supplier: { id: string; name: string; kind: string; region: { code: string } };
  reliefCertified: boolean;
  certification: { status: string; certificateNumber: string | null; validUntil: string | null } | null;
  listings: { platform: { code: string; name: string }; externalId: string; url: string | null; price: Money; stock: number | null }[];
}
interface CatalogPage {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: CatalogNode }[];
  };
}

export function describePartnerContract(title: string, start: () => Promise<CatalogClient>): void {
  describe(title, () => {
    let catalog: CatalogClient;

    beforeAll(async () => {
      catalog = await start();
    }, 120_000);
    afterAll(async () => {
      await catalog?.close();
    });

    async function page(variables: Record<string, unknown>) {
      const response = await catalog.query<CatalogPage>(op('CatalogPage'), variables);
      expect(response.errors).toBeUndefined();
      return response.data!.products;
    }

    /** Walks every page of a filtered, ordered catalog and returns all nodes in order. */
    async function walk(filter: Record<string, unknown> | null, orderBy: string | null, first: number) {
      const nodes: CatalogNode[] = [];
      let after: string | null = null;
      let totalCount = -1;
      for (let guard = 0; guard < 200; guard += 1) {
        const result = await page({ filter, orderBy, first, after });
        totalCount = result.totalCount;
        nodes.push(...result.edges.map((edge) => edge.node));
        expect(result.edges.length).toBeLessThanOrEqual(first);
        if (!result.pageInfo.hasNextPage) break;
        expect(result.pageInfo.endCursor).toBe(result.edges[result.edges.length - 1].cursor);
        after = result.pageInfo.endCursor;
      }
      return { nodes, totalCount };
    }

    const minPrice = (node: CatalogNode) => (node.priceRange ? Number(node.priceRange.min.amount) : Infinity);

    it('serves the demo catalog: at least 60 products with suppliers, regions, listings and certifications', async () => {
      const { nodes, totalCount } = await walk(null, null, 100);
      expect(totalCount).toBeGreaterThanOrEqual(60);
      expect(nodes).toHaveLength(totalCount);
      const platforms = new Set(nodes.flatMap((node) => node.listings.map((listing) => listing.platform.code)));
      expect(platforms.size).toBeGreaterThanOrEqual(3);
      expect(nodes.some((node) => node.listings.length >= 2)).toBe(true);
      const ningling = nodes.filter((node) => node.origin.code === '411423');
      expect(ningling.map((node) => node.name).join(' ')).toMatch(/梨/);
      for (const node of nodes) {
        expect(node.supplier.name).toBeTruthy();
        expect(node.origin.code).toMatch(/^\d{6}$/);
        for (const listing of node.listings) expect(listing.price.amount).toMatch(/^\d+\.\d{2}$/);
        if (node.priceRange) {
          const prices = node.listings.map((listing) => Number(listing.price.amount));
          expect(Number(node.priceRange.min.amount)).toBe(Math.min(...prices));
          expect(Number(node.priceRange.max.amount)).toBe(Math.max(...prices));
          expect(node.priceRange.min.amount).toMatch(/^\d+\.\d{2}$/);
        }
      }
      const statuses = new Set(nodes.map((node) => node.certification?.status ?? 'none'));
      expect([...statuses]).toEqual(expect.arrayContaining(['APPROVED', 'REVOKED', 'EXPIRED', 'none']));
    });

    it.each([
      ['NAME', 7],
      ['PRICE_ASC', 9],
      ['PRICE_DESC', 11],
      ['SALES_DESC', 13],
      ['UPDATED_DESC', 17],
    ])('walks every page in %s order (page size %i): every product exactly once, in order', async (orderBy, first) => {
      const { nodes, totalCount } = await walk(null, orderBy, first);
      const ids = nodes.map((node) => node.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(totalCount);
      const all = await walk(null, 'NAME', 100);
      expect(new Set(ids)).toEqual(new Set(all.nodes.map((node) => node.id)));
      if (orderBy === 'PRICE_ASC') {
        for (let i = 1; i < nodes.length; i += 1) expect(minPrice(nodes[i])).toBeGreaterThanOrEqual(minPrice(nodes[i - 1]));
      }
      if (orderBy === 'PRICE_DESC') {
        const priced = nodes.filter((node) => node.priceRange);
        for (let i = 1; i < priced.length; i += 1) expect(minPrice(priced[i])).toBeLessThanOrEqual(minPrice(priced[i - 1]));
      }
      if (orderBy === 'NAME') {
        // Pages concatenate to exactly the order of one big page.
        expect(ids).toEqual(all.nodes.map((node) => node.id));
      }
    });

    it('orders by monthly sales and by last update, most first', async () => {
      const detail = async (id: string) =>
        (await catalog.query<{ product: { listings: { monthlySales: number | null; updatedAt: string }[] } }>(op('ProductDetail'), { id })).data!.product;
      const bySales = (await walk(null, 'SALES_DESC', 100)).nodes.slice(0, 12);
      const totals = await Promise.all(bySales.map(async (node) => (await detail(node.id)).listings.reduce((sum, l) => sum + (l.monthlySales ?? 0), 0)));
      for (let i = 1; i < totals.length; i += 1) expect(totals[i]).toBeLessThanOrEqual(totals[i - 1]);
      const byUpdate = (await walk(null, 'UPDATED_DESC', 100)).nodes.slice(0, 12);
      expect(byUpdate.length).toBe(12);
    });

    it('refuses a page size outside 1 to 100 and a foreign cursor with BAD_USER_INPUT', async () => {
      for (const first of [0, 101, -1]) {
        const response = await catalog.query(op('CatalogPage'), { first });
        expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
        expect(response.errors?.[0].message).toMatch(/first/);
      }
      const byName = await page({ first: 2 });
      const mixed = await catalog.query(op('CatalogPage'), { first: 2, orderBy: 'PRICE_ASC', after: byName.pageInfo.endCursor });
      expect(mixed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const garbage = await catalog.query(op('CatalogPage'), { first: 2, after: 'not-a-cursor' });
      expect(garbage.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      const suppliers = await catalog.query(op('Suppliers'), { first: 500 });
      expect(suppliers.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('filters by search (Chinese and Latin, case-insensitive), category, region prefix, platform and price, combined with AND', async () => {
      const all = (await walk(null, null, 100)).nodes;
      const pears = await walk({ search: '梨' }, null, 100);
      expect(pears.totalCount).toBeGreaterThan(0);
      const pearDetails = await Promise.all(
        pears.nodes.map(
          async (node) => (await catalog.query<{ product: { name: string; description: string | null } }>(op('ProductDetail'), { id: node.id })).data!.product,
        ),
      );
      expect(pearDetails.every((product) => `${product.name} ${product.description ?? ''}`.includes('梨'))).toBe(true);
      expect(pears.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(all.filter((node) => node.name.includes('梨')).map((node) => node.id)));

      const latin = await walk({ search: 'dangshan' }, null, 100);
      const latinUpper = await walk({ search: 'DANGSHAN' }, null, 100);
      expect(latin.totalCount).toBeGreaterThan(0);
      expect(latin.nodes.map((n) => n.id)).toEqual(latinUpper.nodes.map((n) => n.id));

      const fruit = await walk({ category: 'FRUIT' }, null, 100);
      expect(fruit.totalCount).toBeGreaterThan(0);
      expect(fruit.nodes.every((node) => node.category === 'FRUIT')).toBe(true);
      expect(fruit.totalCount).toBe(all.filter((node) => node.category === 'FRUIT').length);

      for (const prefix of ['41', '4114', '411423']) {
        const inRegion = await walk({ regionCode: prefix }, null, 100);
        expect(inRegion.totalCount).toBe(all.filter((node) => node.origin.code.startsWith(prefix)).length);
        expect(inRegion.totalCount).toBeGreaterThan(0);
      }
      const bad = await catalog.query(op('CatalogPage'), { first: 5, filter: { regionCode: 'Henan' } });
      expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

      const onJd = await walk({ platform: 'jd' }, null, 100);
      expect(onJd.totalCount).toBe(all.filter((node) => node.listings.some((l) => l.platform.code === 'jd')).length);
      expect(onJd.totalCount).toBeGreaterThan(0);

      const prices = all
        .filter((node) => node.priceRange)
        .map(minPrice)
        .sort((a, b) => a - b);
      const low = prices[Math.floor(prices.length / 4)];
      const high = prices[Math.floor((prices.length * 3) / 4)];
      const band = await walk({ minPrice: low.toFixed(2), maxPrice: high.toFixed(2) }, 'PRICE_ASC', 100);
      expect(band.totalCount).toBe(all.filter((node) => node.priceRange && minPrice(node) >= low && minPrice(node) <= high).length);
      expect(band.nodes.some((node) => minPrice(node) === low)).toBe(true);
      expect(band.nodes.some((node) => minPrice(node) === high)).toBe(true);

      const combined = await walk({ category: 'FRUIT', regionCode: '41', platform: 'jd' }, null, 100);
      expect(combined.totalCount).toBe(
        all.filter((n) => n.category === 'FRUIT' && n.origin.code.startsWith('41') && n.listings.some((l) => l.platform.code === 'jd')).length,
      );
    });

    it('answers product, productByGtin, supplier, suppliers, region and platforms as in the contract; unknown ids are null', async () => {
      const all = (await walk(null, null, 100)).nodes;
      const withGtin = all.find((node) => node.gtin)!;
      const detail = await catalog.query<{ product: Record<string, unknown> & { reliefEligibility: { eligible: boolean; reasons: string[] } } }>(
        op('ProductDetail'),
        { id: withGtin.id },
      );
      expect(detail.errors).toBeUndefined();
      expect(detail.data!.product.id).toBe(withGtin.id);
      expect(detail.data!.product.reliefEligibility.reasons.length).toBeGreaterThan(0);

      const byGtin = await catalog.query<{ productByGtin: { id: string } | null }>(op('ProductByGtin'), { gtin: withGtin.gtin });
      expect(byGtin.data!.productByGtin!.id).toBe(withGtin.id);
      expect((await catalog.query<{ productByGtin: null }>(op('ProductByGtin'), { gtin: '6900000000000' })).data!.productByGtin).toBeNull();
      expect((await catalog.query<{ product: null }>(op('ProductDetail'), { id: 'no-such-product' })).data!.product).toBeNull();

      const supplierId = withGtin.supplier.id;
      const supplier = await catalog.query<{ supplier: { id: string; products: { totalCount: number; edges: { node: { id: string } }[] } } }>(
        op('SupplierWithProducts'),
        { id: supplierId, first: 100 },
      );
      expect(supplier.errors).toBeUndefined();
      expect(supplier.data!.supplier.products.totalCount).toBe(all.filter((node) => node.supplier.id === supplierId).length);
      expect((await catalog.query<{ supplier: null }>(op('SupplierWithProducts'), { id: 'nobody', first: 5 })).data!.supplier).toBeNull();

      const henan = await catalog.query<{ suppliers: { totalCount: number; edges: { node: { region: { code: string } } }[] } }>(op('Suppliers'), {
        regionCode: '41',
        first: 100,
      });
      expect(henan.data!.suppliers.totalCount).toBeGreaterThan(0);
      expect(henan.data!.suppliers.edges.every((edge) => edge.node.region.code.startsWith('41'))).toBe(true);

      const region = await catalog.query<{ region: { code: string; county: string; city: string; province: string; designatedPovertyCounty: boolean } }>(
        op('Region'),
        { code: '411423' },
      );
      expect(region.data!.region).toMatchObject({ code: '411423', county: '宁陵县', city: '商丘市', province: '河南省', designatedPovertyCounty: true });
      expect((await catalog.query<{ region: null }>(op('Region'), { code: '999999' })).data!.region).toBeNull();

      const platforms = await catalog.query<{ platforms: { code: string; name: string }[] }>(op('Platforms'));
      expect(platforms.data!.platforms.length).toBeGreaterThanOrEqual(3);
    });

    it('walks the suppliers connection and a supplier’s products page by page without repeats', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let total: number;
      for (;;) {
        const response: {
          data?: { suppliers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] } };
        } = await catalog.query(op('Suppliers'), { first: 3, after });
        const connection = response.data!.suppliers;
        total = connection.totalCount;
        seen.push(...connection.edges.map((edge) => edge.node.id));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen.length).toBe(total);
      expect(new Set(seen).size).toBe(total);
      expect(total).toBeGreaterThanOrEqual(20);
    });

    it('costs no more SQL statements for 100 products than for 10 (CatalogPage and SupplierWithProducts)', async () => {
      const statementsFor = async (query: string, variables: Record<string, unknown>) => {
        const before = catalog.sqlStatements();
        const response = await catalog.query(query, variables);
        expect(response.errors).toBeUndefined();
        return catalog.sqlStatements() - before;
      };
      const ten = await statementsFor(op('CatalogPage'), { first: 10 });
      const hundred = await statementsFor(op('CatalogPage'), { first: 100 });
      expect(ten).toBeGreaterThan(0);
      expect(hundred).toBeLessThanOrEqual(ten);
      const certifiedTen = await statementsFor(op('CatalogPage'), { first: 10, filter: { certifiedOnly: true } });
      const certifiedHundred = await statementsFor(op('CatalogPage'), { first: 100, filter: { certifiedOnly: true } });
      expect(certifiedHundred).toBeLessThanOrEqual(certifiedTen);

      const suppliers = await catalog.query<{ suppliers: { edges: { node: { id: string } }[] } }>(op('Suppliers'), { first: 100 });
      const busiest = suppliers.data!.suppliers.edges[0].node.id;
      const supplierTen = await statementsFor(op('SupplierWithProducts'), { id: busiest, first: 1 });
      const supplierHundred = await statementsFor(op('SupplierWithProducts'), { id: busiest, first: 100 });
      expect(supplierHundred).toBeLessThanOrEqual(supplierTen);

      // Many suppliers, each with its products, each with its supplier again: still a fixed number of statements.
      const nested = `query Nested($first: Int!) { suppliers(first: $first) { edges { node { id products(first: 10) { edges { node { id reliefCertified supplier { name } } } } } } } }`;
      const few = await statementsFor(nested, { first: 2 });
      const many = await statementsFor(nested, { first: 25 });
      expect(many).toBeLessThanOrEqual(few);
    });

    it('agrees with the certification subgraph at the moment of the query: certifiedOnly across pages, then approval, revocation and expiry on the next request', async () => {
      const certifier = catalog.token('certifier-test', ['certifier']);
      const everything = (await walk(null, null, 100)).nodes;
      const certified = await walk({ certifiedOnly: true }, 'PRICE_ASC', 4);
      expect(certified.totalCount).toBeGreaterThan(4);
      expect(certified.nodes.length).toBe(certified.totalCount);
      expect(certified.nodes.every((node) => node.reliefCertified && node.certification?.status === 'APPROVED')).toBe(true);
      expect(new Set(certified.nodes.map((node) => node.id))).toEqual(new Set(everything.filter((node) => node.reliefCertified).map((node) => node.id)));

      // Revoke one: gone from certifiedOnly on the very next request.
      const target = certified.nodes[0];
      const history = await catalog.query<{ certification: { id: string; version: number } }>(
        `query($id: ID!) { product(id: $id) { certification { id version } } }`.replace('query(', 'query P('),
        { id: target.id },
        certifier,
      );
      const certification = (history.data as unknown as { product: { certification: { id: string; version: number } } }).product.certification;
      const revoke = await catalog.query(
        `mutation($id: ID!, $v: Int!) { revokeCertification(id: $id, expectedVersion: $v, reason: "test revocation") { status } }`,
        { id: certification.id, v: certification.version },
        certifier,
      );
      expect(revoke.errors).toBeUndefined();
      const afterRevoke = await walk({ certifiedOnly: true }, 'PRICE_ASC', 4);
      expect(afterRevoke.totalCount).toBe(certified.totalCount - 1);
      expect(afterRevoke.nodes.map((node) => node.id)).not.toContain(target.id);
      const revoked = (
        await catalog.query<{ product: { reliefCertified: boolean; certification: { status: string } } }>(op('ProductDetail'), { id: target.id })
      ).data!.product;
      expect(revoked.reliefCertified).toBe(false);
      expect(revoked.certification.status).toBe('REVOKED');

      // Certify an eligible product with a certificate that expires in two seconds.
      const eligible = everything.find((node) => !node.reliefCertified && node.certification === null && node.origin.designatedPovertyCounty)!;
      const validUntil = new Date(Date.now() + 2500).toISOString();
      const tagged = await catalog.query<{ certifyProducts: { certified: { id: string }[]; failed: unknown[] } }>(
        `mutation($ids: [ID!]!, $until: DateTime!) { certifyProducts(productIds: $ids, validUntil: $until) { certified { id } failed { productId code } } }`,
        { ids: [eligible.id], until: validUntil },
        certifier,
      );
      expect(tagged.data!.certifyProducts.certified).toHaveLength(1);
      const afterApproval = await walk({ certifiedOnly: true }, 'PRICE_ASC', 4);
      expect(afterApproval.nodes.map((node) => node.id)).toContain(eligible.id);
      expect(afterApproval.totalCount).toBe(afterRevoke.totalCount + 1);

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(validUntil) - Date.now()) + 200));
      const afterExpiry = await walk({ certifiedOnly: true }, 'PRICE_ASC', 4);
      expect(afterExpiry.nodes.map((node) => node.id)).not.toContain(eligible.id);
      const expired = (
        await catalog.query<{ product: { reliefCertified: boolean; certification: { status: string } } }>(op('ProductDetail'), { id: eligible.id })
      ).data!.product;
      expect(expired).toMatchObject({ reliefCertified: false, certification: { status: 'EXPIRED' } });
    });

    it('keeps the certified copy in step through certifiedProductChanges: the whole set from -1, then only what changed, for services only', async () => {
      const changes = `query C($since: Int!) { certifiedProductChanges(since: $since) { version changes { productId validUntil } changesAt } }`;
      // Straight to the certification subgraph, as the products subgraph asks it.
      const ask = (since: number, identity: Identity = serviceIdentity('products')) =>
        catalog.subgraphQuery<{
          certifiedProductChanges: { version: number; changes: { productId: string; validUntil: string | null }[]; changesAt: string | null };
        }>('certification', changes, { since }, identity);
      const certified = await walk({ certifiedOnly: true }, null, 100);
      const whole = (await ask(-1)).data!.certifiedProductChanges;
      expect(new Set(whole.changes.map((change) => change.productId))).toEqual(new Set(certified.nodes.map((node) => node.id)));
      expect(whole.changes.every((change) => change.validUntil !== null && Date.parse(change.validUntil) > Date.now())).toBe(true);
      expect(Date.parse(whole.changesAt!)).toBe(Math.min(...whole.changes.map((change) => Date.parse(change.validUntil!))));
      expect((await ask(whole.version)).data!.certifiedProductChanges).toMatchObject({ version: whole.version, changes: [] });

      // A revocation is one change, with no valid certificate left.
      const certifier = catalog.token('certifier-test', ['certifier']);
      const target = certified.nodes[certified.nodes.length - 1];
      const detail = await catalog.query<{ product: { certification: { id: string; version: number } } }>(
        `query P($id: ID!) { product(id: $id) { certification { id version } } }`,
        { id: target.id },
        certifier,
      );
      const { id, version } = detail.data!.product.certification;
      const revoke = await catalog.query(
        `mutation($id: ID!, $v: Int!) { revokeCertification(id: $id, expectedVersion: $v, reason: "test revocation") { status } }`,
        { id, v: version },
        certifier,
      );
      expect(revoke.errors).toBeUndefined();
      const after = (await ask(whole.version)).data!.certifiedProductChanges;
      expect(after.version).toBeGreaterThan(whole.version);
      expect(after.changes).toEqual([{ productId: target.id, validUntil: null }]);
      // The products subgraph's copy follows on its next certifiedOnly query.
      const next = await walk({ certifiedOnly: true }, null, 100);
      expect(next.totalCount).toBe(certified.totalCount - 1);
      expect(next.nodes.map((node) => node.id)).not.toContain(target.id);

      // Internal: refused to a caller that is not a subgraph, and to a bad version.
      expect((await ask(-1, ANONYMOUS)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await ask(-2)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('serializes money as exact two-decimal strings', async () => {
      const result = await page({ first: 20, orderBy: 'PRICE_ASC' });
      for (const edge of result.edges) {
        if (edge.node.priceRange) expect(typeof edge.node.priceRange.min.amount).toBe('string');
      }
      const invalid = await catalog.query(op('CatalogPage'), { first: 5, filter: { minPrice: 12.345 } });
      expect(invalid.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    });
  });
}
