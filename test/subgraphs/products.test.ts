// The products subgraph alone, through server.executeOperation on PGlite
// with the demo catalog: the catalog queries and their input rules,
// `_entities` for Product and Supplier.products (batched: the same statements
// for one reference as for all of them), staff-only fields, and mutations
// refusing bad input and callers without the role before anything is
// written. No other subgraph runs, so nothing here asks certification
// (certifiedOnly) or suppliers (an accepted listing).
import { ANONYMOUS, serviceIdentity, type Identity } from '../../common/identity';
import { demoCatalog } from '../../demo/demoCatalog';
import { codeOf } from '../support/graphqlHttp';
import { openLocalSubgraph, type LocalSubgraph } from '../support/localSubgraph';

const certifier: Identity = { sub: 'certifier-products', roles: ['certifier'], platform: null, authenticated: true, service: false };
const partner: Identity = { sub: 'partner-jd', roles: ['partner'], platform: 'jd', authenticated: true, service: false };
const demo = demoCatalog(new Date());

interface Money {
  amount: string;
  currency: string;
}
interface ProductNode {
  id: string;
  name: string;
  category: string;
  gtin: string | null;
  priceRange: { min: Money; max: Money } | null;
  listings: { platform: { code: string }; price: Money }[];
}
const PRODUCT_FIELDS =
  'id name category gtin priceRange { min { amount currency } max { amount currency } } listings { platform { code } price { amount currency } }';
const PAGE = `query P($filter: ProductFilter, $orderBy: ProductOrder, $first: Int!, $after: String) {
  products(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${PRODUCT_FIELDS} } }
  }
}`;
type Page = { products: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { cursor: string; node: ProductNode }[] } };

describe('products subgraph', () => {
  let products: LocalSubgraph;
  beforeAll(async () => {
    products = await openLocalSubgraph('products');
  }, 60_000);
  afterAll(async () => {
    await products?.close();
  });

  const rows = async (table: string) => (await products.store.sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`))[0].count;
  const written = async () => ({
    products: await rows('product'),
    listings: await rows('listing'),
    platforms: await rows('platform'),
    events: await rows('product_event'),
  });

  it('pages the demo catalog, filters by category and orders by price; money as two-decimal strings; cacheable for 60 s', async () => {
    const all = await products.execute<Page>(PAGE, { first: 100 });
    expect(all.errors).toBeUndefined();
    expect(all.cacheControl).toBe('max-age=60, public');
    expect(all.data!.products.totalCount).toBe(demo.products.length);
    expect(all.data!.products.edges).toHaveLength(demo.products.length);
    for (const { node } of all.data!.products.edges) {
      for (const listing of node.listings) expect(listing.price.amount).toMatch(/^\d+\.\d{2}$/);
      if (node.priceRange) expect(Number(node.priceRange.min.amount)).toBe(Math.min(...node.listings.map((listing) => Number(listing.price.amount))));
    }

    const fruit = await products.execute<Page>(PAGE, { filter: { category: 'FRUIT' }, orderBy: 'PRICE_ASC', first: 100 });
    const nodes = fruit.data!.products.edges.map((edge) => edge.node);
    expect(nodes.length).toBe(demo.products.filter((product) => product.category === 'FRUIT').length);
    expect(nodes.every((node) => node.category === 'FRUIT')).toBe(true);
    const prices = nodes.filter((node) => node.priceRange).map((node) => Number(node.priceRange!.min.amount));
    expect(prices).toEqual([...prices].sort((a, b) => a - b));

    // Two pages of three make the first six of one page of six.
    const first = await products.execute<Page>(PAGE, { first: 3 });
    const second = await products.execute<Page>(PAGE, { first: 3, after: first.data!.products.pageInfo.endCursor });
    const six = await products.execute<Page>(PAGE, { first: 6 });
    expect([...first.data!.products.edges, ...second.data!.products.edges].map((edge) => edge.node.id)).toEqual(
      six.data!.products.edges.map((edge) => edge.node.id),
    );
  });

  it('answers product, productByGtin, productsByIds and platforms; unknown ids are null', async () => {
    const [withGtin] = demo.products.filter((product) => product.gtin);
    const answer = await products.execute<{
      product: { id: string; name: string };
      productByGtin: { id: string };
      productsByIds: ({ id: string } | null)[];
      none: null;
      noGtin: null;
      platforms: { code: string }[];
    }>(
      `query A($id: ID!, $gtin: String!) {
        product(id: $id) { id name }
        productByGtin(gtin: $gtin) { id }
        productsByIds(ids: [$id, "no-such-product"]) { id }
        none: product(id: "no-such-product") { id }
        noGtin: productByGtin(gtin: "6900000000000") { id }
        platforms { code }
      }`,
      { id: withGtin.id, gtin: ` ${withGtin.gtin} ` },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({
      product: { id: withGtin.id, name: withGtin.name },
      productByGtin: { id: withGtin.id },
      productsByIds: [{ id: withGtin.id }, null],
      none: null,
      noGtin: null,
      platforms: demo.platforms.map((platform) => ({ code: platform.code })).sort((a, b) => a.code.localeCompare(b.code)),
    });
  });

  it('refuses a page size outside 1 to 100, a foreign cursor, a bad region code, too many ids and a price with three decimals with BAD_USER_INPUT', async () => {
    const first = await products.execute<Page>(PAGE, { first: 2 });
    const refused: [string, Record<string, unknown>][] = [
      [PAGE, { first: 0 }],
      [PAGE, { first: 101 }],
      [PAGE, { first: 2, orderBy: 'PRICE_ASC', after: first.data!.products.pageInfo.endCursor }],
      [PAGE, { first: 2, after: 'not-a-cursor' }],
      [PAGE, { first: 5, filter: { regionCode: 'Henan' } }],
      [PAGE, { first: 5, filter: { minPrice: 12.345 } }],
      [`query I($ids: [ID!]!) { productsByIds(ids: $ids) { id } }`, { ids: Array.from({ length: 501 }, (_, index) => `prd_${index}`) }],
    ];
    for (const [query, variables] of refused) {
      const response = await products.execute(query, variables);
      expect({ variables, code: codeOf(response), cacheControl: response.cacheControl }).toEqual({
        variables,
        code: 'BAD_USER_INPUT',
        cacheControl: 'no-store',
      });
    }
  });

  it('resolves Product and Supplier references through _entities with the same statements for one as for all', async () => {
    const entities = `query E($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Product { id origin { code } supplier { id } listings { platform { code } } }
        ... on Supplier { id products(first: 10) { totalCount edges { node { id } } } }
      }
    }`;
    const statementsFor = async (representations: object[]) => {
      const before = products.sqlStatements();
      const response = await products.execute<{ _entities: ({ id: string } | null)[] }>(entities, { representations }, serviceIdentity('certification'));
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities).toHaveLength(representations.length);
      return { statements: products.sqlStatements() - before, entities: response.data!._entities };
    };
    const one = await statementsFor([{ __typename: 'Product', id: 'prd_001' }]);
    const listed = demo.listings.filter((listing) => listing.productId === 'prd_001').map((listing) => ({ platform: { code: listing.platformCode } }));
    expect(one.entities).toEqual([{ id: 'prd_001', origin: { code: '411423' }, supplier: { id: 'sup_001' }, listings: expect.arrayContaining(listed) }]);
    expect(one.entities[0]).toMatchObject({ listings: { length: listed.length } });
    const all = await statementsFor(demo.products.map((product) => ({ __typename: 'Product', id: product.id })));
    expect(all.statements).toBe(one.statements);
    const missing = await statementsFor([{ __typename: 'Product', id: 'no-such-product' }]);
    expect(missing.entities).toEqual([null]);

    const oneSupplier = await statementsFor([{ __typename: 'Supplier', id: 'sup_001' }]);
    expect(oneSupplier.entities[0]).toMatchObject({
      id: 'sup_001',
      products: { totalCount: demo.products.filter((product) => product.supplierId === 'sup_001').length },
    });
    const everySupplier = await statementsFor(demo.suppliers.map((supplier) => ({ __typename: 'Supplier', id: supplier.id })));
    expect(everySupplier.statements).toBe(oneSupplier.statements);
    // A supplier with no products is a valid reference with an empty page.
    expect((await statementsFor([{ __typename: 'Supplier', id: 'sup_none' }])).entities).toEqual([{ id: 'sup_none', products: { totalCount: 0, edges: [] } }]);
  });

  it('shows product history and match suggestions to certifiers only', async () => {
    const history = `{ product(id: "prd_001") { history { kind } } }`;
    for (const identity of [ANONYMOUS, partner]) {
      expect((await products.execute<{ product: { history: unknown } }>(history, {}, identity)).data!.product.history).toBeNull();
    }
    expect(Array.isArray((await products.execute<{ product: { history: unknown } }>(history, {}, certifier)).data!.product.history)).toBe(true);
    const suggestions = `{ matchSuggestions(first: 5) { totalCount } }`;
    expect(codeOf(await products.execute(suggestions))).toBe('UNAUTHENTICATED');
    expect(codeOf(await products.execute(suggestions, {}, partner))).toBe('FORBIDDEN');
    expect((await products.execute(suggestions, {}, certifier)).errors).toBeUndefined();
  });

  it('registers a platform for certifiers only, once, with a code of lowercase letters, and writes nothing it refuses', async () => {
    const register = `mutation R($code: ID!, $name: String!) { registerPlatform(code: $code, name: $name) { code name } }`;
    const before = await written();
    expect(codeOf(await products.execute(register, { code: 'kuaishou', name: '快手' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await products.execute(register, { code: 'kuaishou', name: '快手' }, partner))).toBe('FORBIDDEN');
    for (const variables of [
      { code: 'Kuaishou', name: '快手' },
      { code: 'k', name: '快手' },
      { code: 'kuaishou', name: '   ' },
    ]) {
      expect({ variables, code: codeOf(await products.execute(register, variables, certifier)) }).toEqual({ variables, code: 'BAD_USER_INPUT' });
    }
    expect(codeOf(await products.execute(register, { code: 'jd', name: '京东' }, certifier))).toBe('CONFLICT');
    expect(await written()).toEqual(before);
    const registered = await products.execute(register, { code: ' kuaishou ', name: '快手' }, certifier);
    expect(registered.errors).toBeUndefined();
    expect(registered.data).toEqual({ registerPlatform: { code: 'kuaishou', name: '快手' } });
    expect(await written()).toEqual({ ...before, platforms: before.platforms + 1 });
  });

  it('takes listings only from a partner of that platform, at most 1,000 at once, and supplier merges only from another subgraph', async () => {
    const upsert = `mutation U($platform: ID!, $listings: [ListingInput!]!) { upsertListings(platform: $platform, listings: $listings) { created } }`;
    const listing = { platformSku: 'sku-1', title: '宁陵酥梨 2.5kg', price: '19.90', supplierName: demo.suppliers[0].name, supplierRegionCode: '411423' };
    const merged = `mutation S($from: ID!, $to: ID!, $reason: String!) { supplierMerged(fromSupplierId: $from, toSupplierId: $to, actor: "alice", reason: $reason) }`;
    const before = await written();
    const refused: [string, Record<string, unknown>, Identity, string][] = [
      [upsert, { platform: 'jd', listings: [listing] }, ANONYMOUS, 'UNAUTHENTICATED'],
      [upsert, { platform: 'jd', listings: [listing] }, certifier, 'FORBIDDEN'],
      [upsert, { platform: 'pdd', listings: [listing] }, partner, 'FORBIDDEN'],
      [
        upsert,
        { platform: 'jd', listings: Array.from({ length: 1001 }, (_, index) => ({ ...listing, platformSku: `sku-${index}` })) },
        partner,
        'BAD_USER_INPUT',
      ],
      [upsert, { platform: 'nowhere', listings: [listing] }, { ...partner, platform: 'nowhere' }, 'NOT_FOUND'],
      [merged, { from: 'sup_001', to: 'sup_002', reason: 'duplicate' }, certifier, 'FORBIDDEN'],
      [merged, { from: 'sup_001', to: 'sup_001', reason: 'duplicate' }, serviceIdentity('suppliers'), 'BAD_USER_INPUT'],
      [merged, { from: 'sup_001', to: 'sup_002', reason: '  ' }, serviceIdentity('suppliers'), 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, identity, code] of refused) {
      const response = await products.execute(query, variables, identity);
      expect({ sub: identity.sub, code: codeOf(response) }).toEqual({ sub: identity.sub, code });
    }
    expect(await written()).toEqual(before);
  });
});
