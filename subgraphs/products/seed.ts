import { demoCatalog, type DemoCatalog } from '../../demo/demoCatalog';
import { gtinKey } from '../../feed';
import type { Prisma } from './generated/prisma/client';
import { refreshListingAggregates } from './listings/listingAggregates';
import { blockingKey } from './matching/listingMatching';
import type { ProductsDb } from './store';

export interface DemoProductRows {
  platforms: Prisma.PlatformCreateManyInput[];
  products: Prisma.ProductCreateManyInput[];
  listings: Prisma.ListingCreateManyInput[];
}

/**
 * The demo platforms, products and listings as rows: products get the
 * matching key imported ones do, so feeds link to them; listings carry their
 * supplier, block and GTIN-14 as imported ones do. The price and sales
 * aggregates are refreshed once the rows are in.
 */
export function demoProductRows(catalog: Pick<DemoCatalog, 'platforms' | 'products' | 'listings'>): DemoProductRows {
  const supplierOf = new Map(catalog.products.map((product) => [product.id, product.supplierId]));
  return {
    platforms: catalog.platforms,
    products: catalog.products.map((product) => ({
      ...product,
      matchKey: blockingKey({ supplierKey: product.supplierId, title: product.name, unit: product.unit ?? null }),
    })),
    listings: catalog.listings.map((listing) => {
      const supplierId = supplierOf.get(listing.productId)!;
      return {
        ...listing,
        supplierId,
        matchKey: blockingKey({ supplierKey: supplierId, title: listing.title, unit: listing.unit ?? null }),
        gtinKey: listing.gtin ? gtinKey(listing.gtin) : null,
      };
    }),
  };
}

/** Seeds the demo platforms, products and listings into an empty store, in one transaction. */
export async function seedProductsIfEmpty(db: ProductsDb, now = new Date()): Promise<boolean> {
  if ((await db.platform.count()) > 0) return false;
  const rows = demoProductRows(demoCatalog(now));
  await db.$transaction(
    async (tx) => {
      await tx.platform.createMany({ data: rows.platforms });
      await tx.product.createMany({ data: rows.products });
      await tx.listing.createMany({ data: rows.listings });
      await refreshListingAggregates(
        tx,
        rows.products.map((product) => product.id),
      );
      // Prisma's default of 5 s is for requests; on a busy machine this one-off bulk insert can take longer.
    },
    { timeout: 60_000 },
  );
  return true;
}
