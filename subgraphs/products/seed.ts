import { demoCatalog } from '../../demo/demoCatalog';
import { refreshListingAggregates } from './listingAggregates';
import { gtinKey } from '../../feed';
import { blockingKey } from './listingMatching';
import type { ProductsDb } from './store';

/** Seeds the demo platforms, products and listings into an empty store, in one transaction. */
export async function seedProductsIfEmpty(db: ProductsDb, now = new Date()): Promise<boolean> {
  if ((await db.platform.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction(
    async (tx) => {
      await tx.platform.createMany({ data: catalog.platforms });
      // Demo products get the same matching key imported ones do, so feeds link to them.
      await tx.product.createMany({
        data: catalog.products.map((product) => ({
          ...product,
          matchKey: blockingKey({ supplierKey: product.supplierId, title: product.name, unit: product.unit ?? null }),
        })),
      });
      // Listings carry their supplier, block and GTIN-14 as imported ones do.
      const supplierOf = new Map(catalog.products.map((product) => [product.id, product.supplierId]));
      await tx.listing.createMany({
        data: catalog.listings.map((listing) => {
          const supplierId = supplierOf.get(listing.productId)!;
          return {
            ...listing,
            supplierId,
            matchKey: blockingKey({ supplierKey: supplierId, title: listing.title, unit: listing.unit ?? null }),
            gtinKey: listing.gtin ? gtinKey(listing.gtin) : null,
          };
        }),
      });
      await refreshListingAggregates(
        tx,
        catalog.products.map((product) => product.id),
      );
      // Prisma's default of 5 s is for requests; on a busy machine this one-off bulk insert can take longer.
    },
    { timeout: 60_000 },
  );
  return true;
}
