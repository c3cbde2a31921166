import { Prisma } from '../generated/prisma/client';
import type { ProductsDb } from '../store';

type Executor = ProductsDb | Prisma.TransactionClient;

/**
 * The catalog columns that summarise a product's listings, per product, over
 * `listings`: a relation aliased `l` with product_id, currency, price,
 * monthly_sales and updated_at (the listing table, or listings about to be
 * written). Lowest and highest price within one currency (CNY when the
 * product has CNY listings), monthly sales, last update.
 */
export function listingSummary(listings: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT c.product_id, c.currency, c.min_price, c.max_price, t.sales, t.last_update
    FROM (
      SELECT l.product_id, l.currency, min(l.price) AS min_price, max(l.price) AS max_price,
             row_number() OVER (PARTITION BY l.product_id ORDER BY (l.currency = 'CNY') DESC, l.currency) AS preference
      FROM ${listings}
      GROUP BY l.product_id, l.currency
    ) c
    JOIN (
      SELECT l.product_id, COALESCE(sum(l.monthly_sales), 0)::int AS sales, max(l.updated_at) AS last_update
      FROM ${listings}
      GROUP BY l.product_id
    ) t ON t.product_id = c.product_id
    WHERE c.preference = 1`;
}

/**
 * Recomputes the listing summary columns of existing products (see
 * listingSummary). Runs in the same transaction as the listing writes, so the
 * catalog can filter and sort on them without aggregating listings on every
 * read. A product left without listings has no price and no sales.
 */
export async function refreshListingAggregates(db: Executor, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  const ids = [...productIds];
  await db.$executeRaw`
    UPDATE product p
    SET min_price = s.min_price,
        max_price = s.max_price,
        price_currency = s.currency,
        total_monthly_sales = COALESCE(s.sales, 0),
        updated_at = GREATEST(p.updated_at, COALESCE(s.last_update, p.updated_at))
    FROM unnest(${ids}::text[]) AS target(id)
    LEFT JOIN (${listingSummary(Prisma.sql`listing l WHERE l.product_id = ANY(${ids}::text[])`)}) s ON s.product_id = target.id
    WHERE p.id = target.id`;
}
