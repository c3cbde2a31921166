import DataLoader from 'dataloader';
import { rowByKeyLoader, rowsByKeyLoader } from '../../../common/loaders';
import { countSupplierProducts, findSupplierProductPages, type SupplierPageKey } from './catalogQueries';
import type { ProductsDb } from '../store';

/** One set per request: any number of products, listings or suppliers costs a fixed number of statements. */
export function createProductLoaders(db: ProductsDb) {
  return {
    // A merged product's id answers with the product it was merged into.
    productById: new DataLoader(async (ids: readonly string[]) => {
      const byId = new Map((await db.product.findMany({ where: { id: { in: [...ids] } } })).map((row) => [row.id, row]));
      const missing = ids.filter((id) => !byId.has(id));
      if (missing.length > 0) {
        const aliases = await db.productAlias.findMany({ where: { id: { in: missing } } });
        const survivors = new Map((await db.product.findMany({ where: { id: { in: aliases.map((alias) => alias.productId) } } })).map((row) => [row.id, row]));
        for (const alias of aliases) {
          const survivor = survivors.get(alias.productId);
          if (survivor) byId.set(alias.id, survivor);
        }
      }
      return ids.map((id) => byId.get(id) ?? null);
    }),
    eventsByProductId: rowsByKeyLoader(
      (productIds: readonly string[]) => db.productEvent.findMany({ where: { productId: { in: [...productIds] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
      (row) => row.productId,
    ),
    productByGtin: rowByKeyLoader(
      (gtins: readonly string[]) => db.product.findMany({ where: { gtin: { in: [...gtins] } } }),
      (row) => row.gtin ?? '',
    ),
    listingById: rowByKeyLoader(
      (ids: readonly string[]) => db.listing.findMany({ where: { id: { in: [...ids] } } }),
      (row) => row.id,
    ),
    listingsByProductId: rowsByKeyLoader(
      (productIds: readonly string[]) =>
        db.listing.findMany({
          where: { productId: { in: [...productIds] } },
          orderBy: [{ price: 'asc' }, { platformCode: 'asc' }, { externalId: 'asc' }],
        }),
      (row) => row.productId,
    ),
    platformByCode: rowByKeyLoader(
      (codes: readonly string[]) => db.platform.findMany({ where: { code: { in: [...codes] } } }),
      (row) => row.code,
    ),
    supplierProductPage: new DataLoader((keys: readonly SupplierPageKey[]) => findSupplierProductPages(db, keys), {
      cacheKeyFn: (key) => JSON.stringify([key.supplierId, key.first, key.after]),
    }),
    supplierProductCount: new DataLoader((supplierIds: readonly string[]) => countSupplierProducts(db, supplierIds)),
  };
}

export type ProductLoaders = ReturnType<typeof createProductLoaders>;
