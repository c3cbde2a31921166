import { demoCatalog } from '../../demo/demoCatalog';
import { refreshListingAggregates } from './listingAggregates';
import { blockingKey } from './listingMatching';
import type { ProductsDb } from './store';

/** Seeds the demo platforms, products and listings into an empty store, in one transaction. */
export async function seedProductsIfEmpty(db: ProductsDb, now = new Date()): Promise<boolean> {
  if ((await db.platform.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction(async (tx) => {
    await tx.platform.createMany({ data: catalog.platforms });
    // Demo products get the same matching key imported ones do, so feeds link to them.
    await tx.product.createMany({
      data: catalog.products.map((product) => ({
        ...product,
        matchKey: blockingKey({ supplierKey: product.supplierId, title: product.name, unit: product.unit ?? null }),
      })),
    });
    await tx.listing.createMany({ data: catalog.listings });
    await refreshListingAggregates(tx, catalog.products.map((product) => product.id));
  });
  return true;
}
