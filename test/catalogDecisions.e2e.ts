// Staff decisions about the unified catalog through the gateway: the review
// queue, merging and splitting products, keeping them apart, merging
// duplicate suppliers; roles, versions, open certifications, history, and
// re-imports that keep what staff decided.
import { demoCatalog } from '../demo/demoCatalog';
import { useCatalog } from './support/catalogHarness';
import { codeOf } from './support/graphqlHttp';

const PRODUCT = `query($id: ID!) {
  product(id: $id) { id version arrangedByStaff listings { id externalId platform { code } } history { kind actor reason detail } supplier { id } }
}`;
const MERGE = `mutation($survivorId: ID!, $survivorVersion: Int!, $mergedId: ID!, $mergedVersion: Int!, $reason: String!) {
  mergeProducts(survivorId: $survivorId, survivorVersion: $survivorVersion, mergedId: $mergedId, mergedVersion: $mergedVersion, reason: $reason) { id version listings { id } }
}`;
const MOVE = `mutation($listingId: ID!, $expectedVersion: Int!, $toProductId: ID, $toVersion: Int, $reason: String!) {
  moveListing(listingId: $listingId, expectedVersion: $expectedVersion, toProductId: $toProductId, toVersion: $toVersion, reason: $reason) {
    listing { id } from { id version } to { id version arrangedByStaff }
  }
}`;
const APART = `mutation($productIds: [ID!]!, $reason: String!) { keepProductsApart(productIds: $productIds, reason: $reason) { id arrangedByStaff } }`;
const SUGGESTIONS = `{ matchSuggestions(first: 20) { totalCount edges { node { id score evidence left { id product { id } } right { id product { id } } } } } }`;
const UPSERT = `mutation($platform: ID!, $listings: [ListingInput!]!) {
  upsertListings(platform: $platform, listings: $listings, explain: true) { results { status product { id } match problems { field reason } } }
}`;
const SUPPLIER_SUGGESTIONS = `{ supplierSuggestions(first: 20) { totalCount edges { node { id score supplier { id name } similar { id name } } } } }`;
const MERGE_SUPPLIERS = `mutation($survivorId: ID!, $mergedId: ID!, $reason: String!) {
  mergeSuppliers(survivorId: $survivorId, mergedId: $mergedId, reason: $reason) { id history { kind actor reason } }
}`;

interface ProductView {
  id: string;
  version: number;
  arrangedByStaff: boolean;
  listings: { id: string; externalId: string; platform: { code: string } }[];
  history: { kind: string; actor: string; reason: string; detail: string }[] | null;
  supplier: { id: string } | null;
}

// The demo's products 1 (sup_001, 5 kg) and 3 (sup_001, 4.5 kg) and its certification states.
const now = new Date();
const demo = demoCatalog(now);
const openCertified = [
  ...new Set(
    demo.certifications
      .filter((c) => c.status === 'PENDING' || (c.status === 'APPROVED' && new Date(c.validUntil!).getTime() > now.getTime()))
      .map((c) => c.productId),
  ),
];
const neverCertified = demo.products.map((p) => p.id!).filter((id) => !demo.certifications.some((c) => c.productId === id));

describe('staff decisions about the catalog, through the gateway', () => {
  const catalog = useCatalog({ backend: 'pglite', seed: true });
  let staff: string;
  let partner: string;
  const product = async (id: string, token = staff) => (await catalog.query<{ product: ProductView | null }>(PRODUCT, { id }, token)).data!.product;

  beforeAll(() => {
    staff = catalog.token('staff-li', ['certifier']);
    partner = catalog.token('jd-feed', ['partner'], { platform: 'jd' });
  });

  test('only certification staff see the queue, the history and decide; the supplier hand-over is internal', async () => {
    const operations: [string, Record<string, unknown>][] = [
      [SUGGESTIONS, {}],
      [SUPPLIER_SUGGESTIONS, {}],
      [MERGE, { survivorId: 'prd_001', survivorVersion: 1, mergedId: 'prd_002', mergedVersion: 1, reason: 'x' }],
      [MOVE, { listingId: 'lst_0001', expectedVersion: 1, reason: 'x' }],
      [APART, { productIds: ['prd_001', 'prd_002'], reason: 'x' }],
      [MERGE_SUPPLIERS, { survivorId: 'sup_001', mergedId: 'sup_002', reason: 'x' }],
    ];
    for (const [query, variables] of operations) {
      expect(codeOf(await catalog.query(query, variables))).toBe('UNAUTHENTICATED');
      expect(codeOf(await catalog.query(query, variables, partner))).toBe('FORBIDDEN');
    }
    expect((await product('prd_001', partner))!.history).toBeNull();
    const internal = await catalog.query('mutation { supplierMerged(fromSupplierId: "sup_001", toSupplierId: "sup_002", actor: "x", reason: "x") }', {}, staff);
    expect(codeOf(internal)).toBe('GRAPHQL_VALIDATION_FAILED');
    // Nothing was written by any of the refusals.
    const untouched = await product('prd_001');
    expect(untouched!.version).toBe(1);
    expect(untouched!.history).toEqual([]);
  });

  test('bad input is refused with a clear error and writes nothing', async () => {
    const before = await product('prd_001');
    const blank = await catalog.query(MERGE, { survivorId: 'prd_001', survivorVersion: 1, mergedId: 'prd_002', mergedVersion: 1, reason: '  ' }, staff);
    expect(codeOf(blank)).toBe('BAD_USER_INPUT');
    const self = await catalog.query(MERGE, { survivorId: 'prd_001', survivorVersion: 1, mergedId: 'prd_001', mergedVersion: 1, reason: 'same' }, staff);
    expect(codeOf(self)).toBe('BAD_USER_INPUT');
    const missing = await catalog.query(MERGE, { survivorId: 'prd_001', survivorVersion: 1, mergedId: 'prd_nope', mergedVersion: 1, reason: 'gone' }, staff);
    expect(codeOf(missing)).toBe('NOT_FOUND');
    const cursor = await catalog.query('{ matchSuggestions(first: 5, after: "WyJTQ09SRV9ERVNDIiwxLCJ4Il0") { totalCount } }', {}, staff);
    expect(codeOf(cursor)).toBe('BAD_USER_INPUT');
    expect(await product('prd_001')).toEqual(before);
  });

  test('a listing moved to a new product stays there on re-import; the pair then waits for review; a merge puts it back, also for good', async () => {
    const p3 = (await product('prd_003'))!;
    expect(p3.listings.length).toBe(2);
    const moving = p3.listings.find((listing) => listing.platform.code === 'taobao')!;

    const stale = await catalog.query(MOVE, { listingId: moving.id, expectedVersion: p3.version + 1, reason: 'split' }, staff);
    expect(codeOf(stale)).toBe('CONFLICT');
    const moved = await catalog.query<{
      moveListing: { from: { id: string; version: number }; to: { id: string; version: number; arrangedByStaff: boolean } };
    }>(MOVE, { listingId: moving.id, expectedVersion: p3.version, reason: 'the taobao shop sells the 白蜡皮 grade of another orchard' }, staff);
    expect(moved.errors).toBeUndefined();
    const split = moved.data!.moveListing;
    expect(split.from.id).toBe('prd_003');
    expect(split.to.id).not.toBe('prd_003');
    expect(split.to.arrangedByStaff).toBe(true);
    const last = await catalog.query(
      MOVE,
      { listingId: p3.listings.find((l) => l.id !== moving.id)!.id, expectedVersion: split.from.version, reason: 'empty it' },
      staff,
    );
    expect(codeOf(last)).toBe('BAD_USER_INPUT');

    // The platform sends the same listing again, and a new one alike to both.
    const jd = catalog.token('jd-feed', ['partner'], { platform: 'jd' });
    const taobao = catalog.token('tb-feed', ['partner'], { platform: 'taobao' });
    const again = await catalog.query<{ upsertListings: { results: { product: { id: string } }[] } }>(
      UPSERT,
      {
        platform: 'taobao',
        listings: [
          {
            platformSku: moving.externalId,
            title: '宁陵白蜡皮酥梨 4.5kg 改版标题',
            price: '39.90',
            unit: '4.5kg箱',
            supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
            supplierRegionCode: '411423',
          },
        ],
      },
      taobao,
    );
    expect(again.errors).toBeUndefined();
    expect(again.data!.upsertListings.results[0]!.product.id).toBe(split.to.id);
    const fresh = await catalog.query<{ upsertListings: { results: { product: { id: string } }[] } }>(
      UPSERT,
      {
        platform: 'jd',
        listings: [
          {
            platformSku: 'jd-baila-1',
            title: '宁陵白蜡皮酥梨 4.5kg',
            price: '41.00',
            unit: '4.5kg箱',
            supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
            supplierRegionCode: '411423',
          },
        ],
      },
      jd,
    );
    expect(fresh.errors).toBeUndefined();
    expect([split.from.id, split.to.id]).toContain(fresh.data!.upsertListings.results[0]!.product.id);
    expect((await product('prd_003'))!.listings.length + (await product(split.to.id))!.listings.length).toBe(3);

    // The engine would have joined the two: staff see the pair instead.
    const queue = await catalog.query<{
      matchSuggestions: {
        totalCount: number;
        edges: { node: { id: string; score: number; evidence: string; left: { product: { id: string } }; right: { product: { id: string } } } }[];
      };
    }>(SUGGESTIONS, {}, staff);
    expect(queue.errors).toBeUndefined();
    const pair = queue
      .data!.matchSuggestions.edges.map((edge) => edge.node)
      .find((node) => new Set([node.left.product.id, node.right.product.id]).has(split.to.id));
    expect(pair).toBeDefined();
    expect(new Set([pair!.left.product.id, pair!.right.product.id])).toEqual(new Set(['prd_003', split.to.id]));
    expect(pair!.evidence).toMatch(/not linked/);
    expect(pair!.score).toBeGreaterThan(0);

    // Merge them back.
    const survivor = (await product('prd_003'))!;
    const merged = (await product(split.to.id))!;
    const staleMerge = await catalog.query(
      MERGE,
      { survivorId: survivor.id, survivorVersion: survivor.version, mergedId: merged.id, mergedVersion: merged.version - 1, reason: 'one product' },
      staff,
    );
    expect(codeOf(staleMerge)).toBe('CONFLICT');
    const merge = await catalog.query<{ mergeProducts: { id: string; version: number; listings: { id: string }[] } }>(
      MERGE,
      { survivorId: survivor.id, survivorVersion: survivor.version, mergedId: merged.id, mergedVersion: merged.version, reason: 'same orchard after all' },
      staff,
    );
    expect(merge.errors).toBeUndefined();
    expect(merge.data!.mergeProducts.listings).toHaveLength(3);
    expect(merge.data!.mergeProducts.version).toBeGreaterThan(survivor.version);
    // The merged id answers with the survivor; the suggestion is settled; history tells who and why.
    expect((await product(merged.id))!.id).toBe('prd_003');
    const settled = await catalog.query<{ matchSuggestions: { edges: { node: { left: { product: { id: string } } } }[] } }>(SUGGESTIONS, {}, staff);
    expect(settled.data!.matchSuggestions.edges.filter((edge) => edge.node.left.product.id === 'prd_003')).toEqual([]);
    const history = (await product('prd_003'))!.history!;
    // The merged product's own history came along.
    expect(history.map((event) => event.kind).sort()).toEqual(['LISTING_MOVED_IN', 'LISTING_MOVED_OUT', 'MERGED_FROM']);
    expect(history[2]).toMatchObject({ actor: 'staff-li', reason: 'same orchard after all' });
    expect(history[2]!.detail).toContain(merged.id);
    // Re-importing every listing leaves the merge as staff made it.
    const replay = await catalog.query<{ upsertListings: { results: { product: { id: string } }[] } }>(
      UPSERT,
      {
        platform: 'jd',
        listings: [
          {
            platformSku: 'jd-baila-1',
            title: '宁陵白蜡皮酥梨 4.5kg 又改',
            price: '40.00',
            unit: '4.5kg箱',
            supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
            supplierRegionCode: '411423',
          },
        ],
      },
      jd,
    );
    expect(replay.data!.upsertListings.results[0]!.product.id).toBe('prd_003');
    expect((await product('prd_003'))!.listings).toHaveLength(3);
  });

  test("a product's GTIN follows the listings that carry it when the engine splits them off", async () => {
    const upsert = async (platform: string, listings: { platformSku: string; title: string; gtin?: string }[]) => {
      const token = catalog.token(`${platform}-feed`, ['partner'], { platform });
      const result = await catalog.query<{ upsertListings: { results: { status: string; product: { id: string } }[] } }>(
        UPSERT,
        {
          platform,
          listings: listings.map((listing) => ({ price: '29.90', supplierName: '房县土城镇山友食品有限公司', supplierRegionCode: '420325', ...listing })),
        },
        token,
      );
      expect(result.errors).toBeUndefined();
      return result.data!.upsertListings.results.map((r) => r.product.id);
    };
    const gtinOf = async (id: string) =>
      (await catalog.query<{ product: { gtin: string | null } }>('query($id: ID!) { product(id: $id) { gtin } }', { id }, staff)).data!.product.gtin;
    // One product at first: the taobao listing names no variety, and it brings the GTIN.
    const [first] = await upsert('jd', [{ platformSku: 'sy-1', title: '房县木耳 单片耳 250g' }]);
    await upsert('pdd', [{ platformSku: 'sy-2', title: '房县木耳 单片耳 半斤' }]);
    const [withGtin] = await upsert('taobao', [{ platformSku: 'sy-3', title: '房县木耳 250g', gtin: '6973263049908' }]);
    expect(withGtin).toBe(first);
    expect(await gtinOf(first!)).toBe('6973263049908');
    // A jd listing of another variety with the same GTIN takes the taobao one away.
    const [other] = await upsert('jd', [{ platformSku: 'sy-4', title: '房县木耳 小碗耳 250g', gtin: '6973263049908' }]);
    expect(other).not.toBe(first);
    expect(await gtinOf(first!)).toBeNull();
    expect(await gtinOf(other!)).toBe('6973263049908');
    // The next listing with that GTIN joins the product that carries it, and the first stays apart.
    const [next] = await upsert('douyin', [{ platformSku: 'sy-5', title: '房县 木耳 半斤', gtin: '06973263049908' }]);
    expect(next).toBe(other);
    expect((await product(first!))!.listings.map((listing) => listing.externalId).sort()).toEqual(['sy-1', 'sy-2']);
  });

  test('two products with open certifications are never merged; one holding the only open certification survives', async () => {
    expect(openCertified.length).toBeGreaterThanOrEqual(2);
    const [a, b] = await Promise.all(openCertified.slice(0, 2).map((id) => product(id)));
    const both = await catalog.query(
      MERGE,
      { survivorId: a!.id, survivorVersion: a!.version, mergedId: b!.id, mergedVersion: b!.version, reason: 'duplicates?' },
      staff,
    );
    expect(codeOf(both)).toBe('CONFLICT');
    expect(both.errors![0]!.message).toMatch(/open certification/);
    const plain = (await product(neverCertified[0]!))!;
    const wrongWay = await catalog.query(
      MERGE,
      { survivorId: plain.id, survivorVersion: plain.version, mergedId: a!.id, mergedVersion: a!.version, reason: 'duplicates?' },
      staff,
    );
    expect(codeOf(wrongWay)).toBe('BAD_USER_INPUT');
    expect(wrongWay.errors![0]!.message).toContain(`merge ${plain.id} into it instead`);
    // Nothing moved.
    expect((await product(a!.id))!.listings).toEqual(a!.listings);
    expect((await product(plain.id))!.version).toBe(plain.version);
  });

  test('products kept apart are pinned and recorded', async () => {
    const [a, b] = neverCertified.slice(1, 3);
    const apart = await catalog.query<{ keepProductsApart: { id: string; arrangedByStaff: boolean }[] }>(
      APART,
      { productIds: [a, b], reason: 'different grades' },
      staff,
    );
    expect(apart.errors).toBeUndefined();
    expect(apart.data!.keepProductsApart.map((p) => p.arrangedByStaff)).toEqual([true, true]);
    expect((await product(a!))!.history!.map((event) => [event.kind, event.reason])).toEqual([['KEPT_APART', 'different grades']]);
  });

  test('a near-miss supplier spelling waits for review; merging it moves its products and its spelling for good', async () => {
    const jd = catalog.token('jd-feed', ['partner'], { platform: 'jd' });
    const variant = '宁陵县金顶酥梨种植专业合作社';
    const created = await catalog.query<{ upsertListings: { results: { product: { id: string } }[] } }>(
      UPSERT,
      {
        platform: 'jd',
        listings: [
          { platformSku: 'jd-variant-1', title: '金顶酥梨 10kg 整箱', price: '79.00', unit: '10kg箱', supplierName: variant, supplierRegionCode: '411423' },
        ],
      },
      jd,
    );
    expect(created.errors).toBeUndefined();
    const productId = created.data!.upsertListings.results[0]!.product.id;
    const duplicate = (await product(productId))!.supplier!.id;
    expect(duplicate).not.toBe('sup_001');

    const queue = await catalog.query<{
      supplierSuggestions: { edges: { node: { id: string; score: number; supplier: { id: string }; similar: { id: string } } }[] };
    }>(SUPPLIER_SUGGESTIONS, {}, staff);
    expect(queue.errors).toBeUndefined();
    const suggestion = queue.data!.supplierSuggestions.edges.map((edge) => edge.node).find((node) => node.supplier.id === duplicate);
    expect(suggestion?.similar.id).toBe('sup_001');

    const otherCounty = await catalog.query(MERGE_SUPPLIERS, { survivorId: 'sup_004', mergedId: duplicate, reason: 'x' }, staff);
    expect(codeOf(otherCounty)).toBe('BAD_USER_INPUT');
    const merged = await catalog.query<{ mergeSuppliers: { id: string; history: { kind: string; actor: string; reason: string }[] } }>(
      MERGE_SUPPLIERS,
      { survivorId: 'sup_001', mergedId: duplicate, reason: '同一合作社，名称简写' },
      staff,
    );
    expect(merged.errors).toBeUndefined();
    expect(merged.data!.mergeSuppliers.history).toEqual([{ kind: 'MERGED_FROM', actor: 'staff-li', reason: '同一合作社，名称简写' }]);
    const moved = (await product(productId))!;
    expect(moved.supplier!.id).toBe('sup_001');
    expect(moved.history!.map((event) => event.kind)).toEqual(['SUPPLIER_MERGED']);
    // The merged id and the variant spelling both name the survivor from now on.
    const lookup = await catalog.query<{ supplier: { id: string } }>('query($id: ID!) { supplier(id: $id) { id } }', { id: duplicate });
    expect(lookup.data!.supplier.id).toBe('sup_001');
    const later = await catalog.query<{ upsertListings: { results: { product: { id: string } }[] } }>(
      UPSERT,
      {
        platform: 'jd',
        listings: [
          {
            platformSku: 'jd-variant-2',
            title: '金顶酥梨 10kg 整箱 礼盒',
            price: '89.00',
            unit: '10kg箱',
            supplierName: variant,
            supplierRegionCode: '411423',
          },
        ],
      },
      jd,
    );
    expect((await product(later.data!.upsertListings.results[0]!.product.id))!.supplier!.id).toBe('sup_001');
    const after = await catalog.query<{ supplierSuggestions: { edges: { node: { supplier: { id: string } } }[] } }>(SUPPLIER_SUGGESTIONS, {}, staff);
    expect(after.data!.supplierSuggestions.edges.filter((edge) => edge.node.supplier.id === duplicate)).toEqual([]);
  });
});
