import { Prisma } from '../generated/prisma/client';
import { eachKeyThroughIndex, type ProductsDb } from '../store';

type Executor = ProductsDb | Prisma.TransactionClient;

/**
 * The catalog columns that summarise a product's listings, per product, over
 * `listings`: a relation aliased `l` with product_id, currency, price,
 * monthly_sales and updated_at (the listing table, or listings about to be
 * written). Lowest and highest price within one currency (CNY when the
 * product has CNY listings), monthly sales, last update.
 */
export function listingSummary(listings: Prisma.Sql): Prisma.Sql {
  // One pass over `listings`: the totals of a product are window sums over
  // its currency groups. Joined back to the groups instead, the planner
  // guessed one group and rescanned the totals once per product, a cost that
  // grew with the square of the products a batch touches.
  return Prisma.sql`
    SELECT c.product_id, c.currency, c.min_price, c.max_price, COALESCE(c.sales, 0)::int AS sales, c.last_update
    FROM (
      SELECT l.product_id, l.currency, min(l.price) AS min_price, max(l.price) AS max_price,
             sum(sum(l.monthly_sales)) OVER product AS sales, max(max(l.updated_at)) OVER product AS last_update,
             row_number() OVER (product ORDER BY (l.currency = 'CNY') DESC, l.currency) AS preference
      FROM ${listings}
      GROUP BY l.product_id, l.currency
      WINDOW product AS (PARTITION BY l.product_id)
    ) c
    WHERE c.preference = 1`;
}

/** The listings of `productIds`, each product's through the product_id index. */
function listingsOf(productIds: readonly string[]): Prisma.Sql {
  return eachKeyThroughIndex(
    productIds,
    (id) => Prisma.sql`SELECT product_id, currency, price, monthly_sales, updated_at FROM listing WHERE product_id = ${id}`,
  );
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
    LEFT JOIN (${listingSummary(Prisma.sql`(${listingsOf(ids)}) l`)}) s ON s.product_id = target.id
    WHERE p.id = target.id`;
}
