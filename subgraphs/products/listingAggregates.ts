import type { Prisma } from './generated/prisma/client';
import type { ProductsDb } from './store';

type Executor = ProductsDb | Prisma.TransactionClient;

/**
 * Recomputes the catalog columns that summarise a product's listings (lowest
 * and highest price, their currency, monthly sales, last update). Runs in the
 * same transaction as the listing writes, so the catalog can filter and sort
 * on them without aggregating listings on every read. Prices are compared
 * within one currency: CNY when the product has CNY listings.
 */
export async function refreshListingAggregates(db: Executor, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  await db.$executeRaw`
    WITH per_currency AS (
      SELECT l.product_id, l.currency, min(l.price) AS min_price, max(l.price) AS max_price,
             row_number() OVER (PARTITION BY l.product_id ORDER BY (l.currency = 'CNY') DESC, l.currency) AS preference
      FROM listing l
      WHERE l.product_id = ANY(${[...productIds]}::text[])
      GROUP BY l.product_id, l.currency
    ), totals AS (
      SELECT l.product_id, COALESCE(sum(l.monthly_sales), 0)::int AS sales, max(l.updated_at) AS last_update
      FROM listing l
      WHERE l.product_id = ANY(${[...productIds]}::text[])
      GROUP BY l.product_id
    )
    UPDATE product p
    SET min_price = c.min_price,
        max_price = c.max_price,
        price_currency = c.currency,
        total_monthly_sales = COALESCE(t.sales, 0),
        updated_at = GREATEST(p.updated_at, COALESCE(t.last_update, p.updated_at))
    FROM product q
    LEFT JOIN per_currency c ON c.product_id = q.id AND c.preference = 1
    LEFT JOIN totals t ON t.product_id = q.id
    WHERE p.id = q.id AND q.id = ANY(${[...productIds]}::text[])`;
}
