import {
  afterCursorSql,
  decimalCursorKey,
  integerCursorKey,
  pageFromRows,
  textCursorKey,
  timeCursorKey,
  type CursorPosition,
  type PageRequest,
} from '../../../common/connection';
import { badUserInput } from '../../../common/errors';
import { regionCodePrefix } from '../../../common/textInput';
import { Prisma, type Product } from '../generated/prisma/client';
import type { ProductFilter, ProductOrder } from '../generated/graphql';
import { certifiedCondition, certifiedCountStatement } from './certifiedProducts';
import type { ProductsDb } from '../store';

interface Ordering {
  /** The sort key as SQL over the product row `p`. */
  key: Prisma.Sql;
  direction: 'ASC' | 'DESC';
  /** How a key taken from a cursor is typed back into SQL. */
  cast: Prisma.Sql;
  /** The cursor's key, checked to be of the key's type (BAD_USER_INPUT otherwise). */
  keyOf(position: CursorPosition): string | number;
}

// Products without listings have no price: the sentinels put them last in both
// price orders without NULL handling in the keyset comparison.
const ORDERINGS: Record<ProductOrder, Ordering> = {
  NAME: { key: Prisma.sql`p.name`, direction: 'ASC', cast: Prisma.sql`::text`, keyOf: textCursorKey },
  PRICE_ASC: { key: Prisma.sql`COALESCE(p.min_price, 9999999999.99)`, direction: 'ASC', cast: Prisma.sql`::numeric`, keyOf: decimalCursorKey },
  PRICE_DESC: { key: Prisma.sql`COALESCE(p.min_price, -1)`, direction: 'DESC', cast: Prisma.sql`::numeric`, keyOf: decimalCursorKey },
  SALES_DESC: { key: Prisma.sql`p.total_monthly_sales`, direction: 'DESC', cast: Prisma.sql`::integer`, keyOf: integerCursorKey },
  UPDATED_DESC: {
    key: Prisma.sql`p.updated_at`,
    direction: 'DESC',
    cast: Prisma.sql`::timestamptz`,
    keyOf: (position) => timeCursorKey(position).toISOString(),
  },
};

/** The longest `filter.search` accepted, in characters. */
export const MAX_SEARCH_LENGTH = 100;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * The SQL conditions of a catalog filter. `certifiedAt` is the moment
 * certifiedOnly is evaluated at, once the copy of the certified set is up to
 * date (certifiedProducts.ts); null when the filter does not ask for it.
 */
export function catalogConditions(filter: ProductFilter | null | undefined, certifiedAt: Date | null): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (!filter) return conditions;
  const search = filter.search?.trim();
  // A substring match scans every name and description: a long pattern costs the store, never narrows usefully.
  if (search && [...search].length > MAX_SEARCH_LENGTH) {
    throw badUserInput('filter.search', `must be at most ${MAX_SEARCH_LENGTH} characters, got ${[...search].length}`);
  }
  if (search) {
    const pattern = `%${escapeLike(search.normalize('NFKC'))}%`;
    conditions.push(Prisma.sql`(p.name ILIKE ${pattern} OR p.description ILIKE ${pattern})`);
  }
  // Compared as the enum, so the category index applies.
  if (filter.category) conditions.push(Prisma.sql`p.category = CAST(${filter.category} AS "ProductCategory")`);
  const regionPrefix = regionCodePrefix(filter.regionCode, 'filter.regionCode');
  if (regionPrefix !== null) conditions.push(Prisma.sql`p.origin_region_code LIKE ${`${regionPrefix}%`}`);
  if (filter.platform) {
    conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM listing l WHERE l.product_id = p.id AND l.platform_code = ${filter.platform})`);
  }
  if (certifiedAt !== null) conditions.push(certifiedCondition(certifiedAt));
  if (filter.minPrice !== null && filter.minPrice !== undefined) {
    conditions.push(Prisma.sql`p.min_price >= ${filter.minPrice}::numeric`);
  }
  if (filter.maxPrice !== null && filter.maxPrice !== undefined) {
    conditions.push(Prisma.sql`p.min_price <= ${filter.maxPrice}::numeric`);
  }
  return conditions;
}

function whereClause(conditions: Prisma.Sql[]): Prisma.Sql {
  return conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
}

function cursorKey(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return value;
  return String(value);
}

// Rows after the cursor in (key direction, id ascending) order.
function afterCursor(ordering: Ordering, after: CursorPosition): Prisma.Sql {
  return afterCursorSql(ordering.key, Prisma.sql`p.id`, ordering.direction, Prisma.sql`${ordering.keyOf(after)}${ordering.cast}`, after.id);
}

export interface CatalogPageRows {
  rows: { id: string; sortKey: string | number }[];
  count: () => Promise<number>;
}

/** The keyset statement of one catalog page: ids and sort keys, first + 1 rows. */
export function catalogPageStatement(conditions: Prisma.Sql[], order: ProductOrder, page: PageRequest): Prisma.Sql {
  const ordering = ORDERINGS[order];
  const pageConditions = page.after ? [...conditions, afterCursor(ordering, page.after)] : conditions;
  const direction = Prisma.raw(ordering.direction);
  return Prisma.sql`
    SELECT p.id, ${ordering.key} AS sort_key
    FROM product p
    ${whereClause(pageConditions)}
    ORDER BY ${ordering.key} ${direction}, p.id ASC
    LIMIT ${page.first + 1}`;
}

/**
 * The statement counting every match of a catalog filter. The whole catalog,
 * a category and a region prefix (alone or together) are summed from
 * product_count, which triggers keep exact in every product write's
 * transaction; certifiedOnly with those counts the certified copy's rows
 * (certifiedProducts.ts); any other filter counts its matching rows.
 * `certifiedAt` is the moment certifiedOnly is evaluated at, as for
 * catalogConditions.
 */
export function catalogCountStatement(filter: ProductFilter | null | undefined, conditions: Prisma.Sql[], certifiedAt: Date | null): Prisma.Sql {
  const countable =
    !filter ||
    Object.entries(filter).every(
      ([name, value]) =>
        name === 'category' ||
        name === 'regionCode' ||
        name === 'certifiedOnly' ||
        value === null ||
        value === undefined ||
        (name === 'search' && !String(value).trim()),
    );
  if (!countable) return Prisma.sql`SELECT count(*)::int AS count FROM product p ${whereClause(conditions)}`;
  const regionPrefix = filter?.regionCode?.trim();
  if (filter?.certifiedOnly) return certifiedCountStatement(certifiedAt ?? new Date(), filter.category, regionPrefix);
  const counted: Prisma.Sql[] = [];
  if (filter?.category) counted.push(Prisma.sql`c.category = CAST(${filter.category} AS "ProductCategory")`);
  if (regionPrefix !== undefined) counted.push(Prisma.sql`c.region_code LIKE ${`${regionPrefix}%`}`);
  const where = counted.length ? Prisma.sql`WHERE ${Prisma.join(counted, ' AND ')}` : Prisma.empty;
  return Prisma.sql`SELECT COALESCE(sum(c.products), 0)::int AS count FROM product_count c ${where}`;
}

/** One page of catalog ids in the requested order: one statement, whatever the page size. */
export async function findCatalogPageIds(
  db: ProductsDb,
  filter: ProductFilter | null | undefined,
  conditions: Prisma.Sql[],
  certifiedAt: Date | null,
  order: ProductOrder,
  page: PageRequest,
): Promise<CatalogPageRows> {
  const rows = await db.$queryRaw<{ id: string; sort_key: unknown }[]>(catalogPageStatement(conditions, order, page));
  return {
    rows: rows.map((row) => ({ id: row.id, sortKey: cursorKey(row.sort_key) })),
    count: async () => {
      const [{ count }] = await db.$queryRaw<{ count: number }[]>(catalogCountStatement(filter, conditions, certifiedAt));
      return count;
    },
  };
}

/** Builds a connection from page ids and the product rows loaded for them. */
export function catalogConnectionPage(page: PageRequest, order: ProductOrder, rows: CatalogPageRows['rows'], products: (Product | null)[]) {
  const withProducts = rows
    .map((row, index) => ({ row, product: products[index] }))
    .filter((entry): entry is { row: CatalogPageRows['rows'][number]; product: Product } => entry.product !== null);
  return pageFromRows(
    withProducts,
    page,
    ({ row }) => ({ order, key: row.sortKey, id: row.id }),
    ({ product }) => product,
  );
}

export interface SupplierPageKey {
  supplierId: string;
  first: number;
  after: CursorPosition | null;
}

/**
 * The first products (by name, id) of many suppliers at once: one statement
 * with a window function per distinct (first, after), not one per supplier.
 */
export async function findSupplierProductPages(db: ProductsDb, keys: readonly SupplierPageKey[]): Promise<Product[][]> {
  const groups = new Map<string, SupplierPageKey[]>();
  for (const key of keys) {
    const groupKey = JSON.stringify([key.first, key.after]);
    groups.set(groupKey, [...(groups.get(groupKey) ?? []), key]);
  }
  const bySupplierAndGroup = new Map<string, Product[]>();
  for (const [groupKey, groupKeys] of groups) {
    const { first, after } = groupKeys[0];
    const supplierIds = [...new Set(groupKeys.map((key) => key.supplierId))];
    const afterCondition = after
      ? Prisma.sql`AND ${afterCursorSql(Prisma.sql`p.name`, Prisma.sql`p.id`, 'ASC', Prisma.sql`${textCursorKey(after)}::text`, after.id)}`
      : Prisma.empty;
    const ids = await db.$queryRaw<{ id: string; supplier_id: string }[]>`
      SELECT id, supplier_id FROM (
        SELECT p.id, p.supplier_id, p.name,
               row_number() OVER (PARTITION BY p.supplier_id ORDER BY p.name, p.id) AS position
        FROM product p
        WHERE p.supplier_id = ANY(${supplierIds}::text[]) ${afterCondition}
      ) ranked
      WHERE position <= ${first + 1}
      ORDER BY supplier_id, position`;
    const products = await db.product.findMany({ where: { id: { in: ids.map((row) => row.id) } } });
    const productById = new Map(products.map((product) => [product.id, product]));
    for (const row of ids) {
      const product = productById.get(row.id);
      if (!product) continue;
      const slot = `${row.supplier_id}|${groupKey}`;
      bySupplierAndGroup.set(slot, [...(bySupplierAndGroup.get(slot) ?? []), product]);
    }
  }
  return keys.map((key) => bySupplierAndGroup.get(`${key.supplierId}|${JSON.stringify([key.first, key.after])}`) ?? []);
}

/** Product counts of many suppliers in one statement. */
export async function countSupplierProducts(db: ProductsDb, supplierIds: readonly string[]): Promise<number[]> {
  const counts = await db.product.groupBy({
    by: ['supplierId'],
    where: { supplierId: { in: [...supplierIds] } },
    _count: { _all: true },
  });
  const bySupplier = new Map(counts.map((row) => [row.supplierId, row._count._all]));
  return supplierIds.map((id) => bySupplier.get(id) ?? 0);
}

export const SUPPLIER_PRODUCTS_ORDER = 'NAME';
