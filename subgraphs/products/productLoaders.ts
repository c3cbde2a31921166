import DataLoader from 'dataloader';
import { rowByKeyLoader, rowsByKeyLoader } from '../../common/loaders';
import { countSupplierProducts, findSupplierProductPages, type SupplierPageKey } from './catalogQueries';
import type { ProductsDb } from './store';

/** One set per request: any number of products, listings or suppliers costs a fixed number of statements. */
export function createProductLoaders(db: ProductsDb) {
  return {
    productById: rowByKeyLoader(
      (ids: readonly string[]) => db.product.findMany({ where: { id: { in: [...ids] } } }),
      (row) => row.id,
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
