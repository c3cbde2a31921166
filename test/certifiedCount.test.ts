// totalCount of certifiedOnly (alone, with a category, with a region prefix)
// is counted from the products subgraph's copy of the certified set, whose
// rows carry their product's category and county. The count must equal the
// rows the filter itself finds, through certificates lapsing and through
// product writes that move, re-categorise or delete a certified product.
import { openProductsStore, type ProductsDb } from '../subgraphs/products/store';
import { certifiedProductsOver, takeCopyAtStart, type CertifiedProductChanges } from '../subgraphs/products/catalog/certifiedProducts';
import { createLogger } from '../common/logging';
import { catalogConditions, catalogCountStatement } from '../subgraphs/products/catalog/catalogQueries';
import type { ProductFilter } from '../subgraphs/products/generated/graphql';
import { Prisma } from '../subgraphs/products/generated/prisma/client';
import type { Store } from '../common/database';

const NINGLING = '411423';
const SHIZONG = '530323';

describe('certifiedOnly totalCount from the certified copy', () => {
  let store: Store<ProductsDb>;
  let db: ProductsDb;
  let changes: CertifiedProductChanges;

  const copy = () => certifiedProductsOver(async (since) => (since < 0 || since < changes.version ? changes : { ...changes, changes: [] }));

  /** The count statement's answer beside the number of rows the page's own conditions match. */
  const counts = async (filter: ProductFilter, at = new Date()) => {
    const conditions = catalogConditions(filter, at);
    const [{ count }] = await db.$queryRaw<{ count: number }[]>(catalogCountStatement(filter, conditions, at));
    const where = Prisma.join(conditions, ' AND ');
    const [{ rows }] = await db.$queryRaw<{ rows: number }[]>(Prisma.sql`SELECT count(*)::int AS rows FROM product p WHERE ${where}`);
    return { count, rows };
  };

  beforeAll(async () => {
    store = await openProductsStore({ kind: 'memory' });
    db = store.client;
    await db.product.createMany({
      data: [
        { id: 'prd_pear', name: '宁陵酥梨 5斤', category: 'FRUIT', originRegionCode: NINGLING, supplierId: 'sup_a' },
        { id: 'prd_syrup', name: '宁陵梨膏 300g', category: 'PROCESSED_FOOD', originRegionCode: NINGLING, supplierId: 'sup_a' },
        { id: 'prd_mushroom', name: '师宗野生菌 500g', category: 'OTHER', originRegionCode: SHIZONG, supplierId: 'sup_b' },
        { id: 'prd_plain', name: '师宗小粒咖啡 250g', category: 'OTHER', originRegionCode: SHIZONG, supplierId: 'sup_b' },
      ],
    });
    const inAYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
    changes = {
      version: 1,
      changes: [
        { productId: 'prd_pear', validUntil: inAYear },
        { productId: 'prd_syrup', validUntil: inAYear },
        { productId: 'prd_mushroom', validUntil: new Date(Date.now() + 60_000).toISOString() },
        // Certified, but not (or no longer) in this catalog: never counted.
        { productId: 'prd_elsewhere', validUntil: inAYear },
      ],
      changesAt: null,
    };
    await copy().bringUpToDate(db);
  });
  afterAll(async () => {
    await store.close();
  });

  it('counts what the filter finds, alone and with a category and a region prefix', async () => {
    expect(await counts({ certifiedOnly: true })).toEqual({ count: 3, rows: 3 });
    expect(await counts({ certifiedOnly: true, category: 'FRUIT' })).toEqual({ count: 1, rows: 1 });
    expect(await counts({ certifiedOnly: true, regionCode: '41' })).toEqual({ count: 2, rows: 2 });
    expect(await counts({ certifiedOnly: true, regionCode: SHIZONG, category: 'OTHER' })).toEqual({ count: 1, rows: 1 });
    // A lapsed certificate is not counted at a later moment.
    expect(await counts({ certifiedOnly: true }, new Date(Date.now() + 120_000))).toEqual({ count: 2, rows: 2 });
  });

  it('follows product writes: a new category, a new county, a deleted product, a product arriving after its certificate', async () => {
    await db.product.update({ where: { id: 'prd_pear' }, data: { category: 'OTHER', originRegionCode: SHIZONG } });
    expect(await counts({ certifiedOnly: true, category: 'FRUIT' })).toEqual({ count: 0, rows: 0 });
    expect(await counts({ certifiedOnly: true, regionCode: '53' })).toEqual({ count: 2, rows: 2 });

    await db.product.delete({ where: { id: 'prd_syrup' } });
    expect(await counts({ certifiedOnly: true })).toEqual({ count: 2, rows: 2 });

    await db.product.create({
      data: { id: 'prd_elsewhere', name: '宁陵梨膏 150g', category: 'PROCESSED_FOOD', originRegionCode: NINGLING, supplierId: 'sup_a' },
    });
    expect(await counts({ certifiedOnly: true, regionCode: '41' })).toEqual({ count: 1, rows: 1 });
    expect(await counts({ certifiedOnly: true })).toEqual({ count: 3, rows: 3 });
  });

  it('follows the copy: a certificate that ends leaves the count', async () => {
    changes = { version: 2, changes: [{ productId: 'prd_pear', validUntil: null }], changesAt: null };
    await copy().bringUpToDate(db);
    expect(await counts({ certifiedOnly: true })).toEqual({ count: 2, rows: 2 });
    expect(await counts({ certifiedOnly: true, category: 'PROCESSED_FOOD', regionCode: NINGLING })).toEqual({ count: 1, rows: 1 });
  });

  it('takes the copy at start, trying again while the certification subgraph is not up yet', async () => {
    const fresh = await openProductsStore({ kind: 'memory' });
    try {
      let calls = 0;
      const source = certifiedProductsOver(async () => {
        calls += 1;
        if (calls <= 2) throw new Error('connect ECONNREFUSED 127.0.0.1:4003');
        return { version: 7, changes: [{ productId: 'prd_pear', validUntil: new Date(Date.now() + 86_400_000).toISOString() }], changesAt: null };
      });
      const started = takeCopyAtStart(source, fresh.client, createLogger('products', 'silent'));
      const version = async () =>
        Number((await fresh.client.$queryRaw<{ version: bigint }[]>(Prisma.sql`SELECT version FROM certified_product_sync`))[0].version);
      const deadline = Date.now() + 10_000;
      while ((await version()) < 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await started.stop();
      expect(await version()).toBe(7);
      // Two refused, then the whole set (since -1), then the check that nothing changed after it.
      expect(calls).toBe(4);
      expect(await fresh.client.certifiedProduct.count()).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});
