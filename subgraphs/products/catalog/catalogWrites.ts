import { Prisma } from '../generated/prisma/client';
import { listingSummary } from '../listings/listingAggregates';

type Tx = Prisma.TransactionClient;

export interface NewProductRow {
  id: string;
  name: string;
  description: string | null;
  gtin: string | null;
  category: string;
  unit: string | null;
  originRegionCode: string;
  supplierId: string;
  matchKey: string;
  at: Date;
}

export interface NewListingRow {
  id: string;
  platformCode: string;
  externalId: string;
  productId: string;
  title: string;
  url: string | null;
  price: string;
  currency: string;
  stock: number | null;
  monthlySales: number | null;
  gtin: string | null;
  unit: string | null;
  supplierId: string;
  matchKey: string;
  gtinKey: string | null;
  at: Date;
}

// Whatever a batch holds, each write is one statement (an empty one writes
// nothing), so a batch costs the same number of statements at any size.
// Bulk inserts as one statement over parallel arrays (unnest): a batch of a
// thousand rows costs one round trip and one parse, where a multi-row VALUES
// list would carry twelve thousand bound parameters.

/**
 * Inserts new products with their listing summary already computed from
 * `listings` (those of this batch that belong to them: a new product has no
 * others), so a new product is written once rather than inserted and then
 * updated by refreshListingAggregates.
 */
export async function insertProducts(tx: Tx, rows: readonly NewProductRow[], listings: readonly NewListingRow[] = []): Promise<void> {
  const column = <T>(pick: (row: NewProductRow) => T) => rows.map(pick);
  const listed = <T>(pick: (row: NewListingRow) => T) => listings.map(pick);
  const summary = listingSummary(Prisma.sql`unnest(
      ${listed((r) => r.productId)}::text[], ${listed((r) => r.currency)}::text[], ${listed((r) => r.price)}::numeric[],
      ${listed((r) => r.monthlySales)}::int[], ${listed((r) => r.at)}::timestamptz[]
    ) AS l(product_id, currency, price, monthly_sales, updated_at)`);
  await tx.$executeRaw`
    INSERT INTO product (id, name, description, gtin, category, unit, origin_region_code, supplier_id, match_key,
                         min_price, max_price, price_currency, total_monthly_sales, created_at, updated_at)
    SELECT t.id, t.name, t.description, t.gtin, t.category::"ProductCategory", t.unit, t.origin_region_code, t.supplier_id, t.match_key,
           s.min_price, s.max_price, s.currency, COALESCE(s.sales, 0), t.at, GREATEST(t.at, COALESCE(s.last_update, t.at))
    FROM unnest(
      ${column((r) => r.id)}::text[], ${column((r) => r.name)}::text[], ${column((r) => r.description)}::text[],
      ${column((r) => r.gtin)}::text[], ${column((r) => r.category)}::text[], ${column((r) => r.unit)}::text[],
      ${column((r) => r.originRegionCode)}::text[], ${column((r) => r.supplierId)}::text[], ${column((r) => r.matchKey)}::text[],
      ${column((r) => r.at)}::timestamptz[]
    ) AS t(id, name, description, gtin, category, unit, origin_region_code, supplier_id, match_key, at)
    LEFT JOIN (${summary}) s ON s.product_id = t.id`;
}

export async function insertListings(tx: Tx, rows: readonly NewListingRow[]): Promise<void> {
  const column = <T>(pick: (row: NewListingRow) => T) => rows.map(pick);
  await tx.$executeRaw`
    INSERT INTO listing (id, platform_code, external_id, product_id, title, url, price, currency, stock, monthly_sales, gtin, unit,
                         supplier_id, match_key, gtin_key, updated_at)
    SELECT * FROM unnest(
      ${column((r) => r.id)}::text[], ${column((r) => r.platformCode)}::text[], ${column((r) => r.externalId)}::text[],
      ${column((r) => r.productId)}::text[], ${column((r) => r.title)}::text[], ${column((r) => r.url)}::text[],
      ${column((r) => r.price)}::numeric[], ${column((r) => r.currency)}::text[], ${column((r) => r.stock)}::int[],
      ${column((r) => r.monthlySales)}::int[], ${column((r) => r.gtin)}::text[], ${column((r) => r.unit)}::text[],
      ${column((r) => r.supplierId)}::text[], ${column((r) => r.matchKey)}::text[], ${column((r) => r.gtinKey)}::text[],
      ${column((r) => r.at)}::timestamptz[]
    )`;
}

export type ChangedListingRow = Omit<NewListingRow, 'platformCode' | 'externalId' | 'productId'>;

/** Updates changed listings (a new price, stock or title) in one statement, whatever their count. */
export async function updateListings(tx: Tx, rows: readonly ChangedListingRow[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: ChangedListingRow) => T) => rows.map(pick);
  await tx.$executeRaw`
    UPDATE listing l
    SET title = t.title, url = t.url, price = t.price, currency = t.currency, stock = t.stock,
        monthly_sales = t.monthly_sales, gtin = t.gtin, unit = t.unit,
        supplier_id = t.supplier_id, match_key = t.match_key, gtin_key = t.gtin_key, updated_at = t.at
    FROM unnest(
      ${column((r) => r.id)}::text[], ${column((r) => r.title)}::text[], ${column((r) => r.url)}::text[],
      ${column((r) => r.price)}::numeric[], ${column((r) => r.currency)}::text[], ${column((r) => r.stock)}::int[],
      ${column((r) => r.monthlySales)}::int[], ${column((r) => r.gtin)}::text[], ${column((r) => r.unit)}::text[],
      ${column((r) => r.supplierId)}::text[], ${column((r) => r.matchKey)}::text[], ${column((r) => r.gtinKey)}::text[],
      ${column((r) => r.at)}::timestamptz[]
    ) AS t(id, title, url, price, currency, stock, monthly_sales, gtin, unit, supplier_id, match_key, gtin_key, at)
    WHERE l.id = t.id`;
}

/** Moves listings to other products, in one statement. */
export async function moveListings(tx: Tx, moves: readonly { listingId: string; productId: string }[]): Promise<void> {
  await tx.$executeRaw`
    UPDATE listing l SET product_id = t.product_id
    FROM unnest(${moves.map((m) => m.listingId)}::text[], ${moves.map((m) => m.productId)}::text[]) AS t(id, product_id)
    WHERE l.id = t.id`;
}

/** Deletes products that no listing belongs to any more. */
export async function deleteEmptyProducts(tx: Tx, productIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM product p WHERE p.id = ANY(${[...productIds]}::text[])
      AND NOT EXISTS (SELECT 1 FROM listing l WHERE l.product_id = p.id)`;
}

/** Bumps the version staff compare against, for products whose listings changed. */
export async function bumpProductVersions(tx: Tx, productIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`UPDATE product SET version = version + 1 WHERE id = ANY(${[...productIds]}::text[])`;
}

/**
 * Serializes everything that rearranges listings among products (imports and
 * staff decisions) for the rest of the transaction.
 */
export async function lockListingMatching(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('relief-goods-graph:listing-matching'))`;
}
