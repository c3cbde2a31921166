import { afterCursorWhere, connectionFromRows, textCursorKey, type PageRequest } from '../../common/connection';
import { badUserInput } from '../../common/errors';
import type { Prisma, Supplier } from './generated/prisma/client';
import type { SupplierConnection } from './schema.mappers';
import type { SuppliersDb } from './store';

const ORDER = 'NAME';

/** Region codes are GB/T 2260 digits; a prefix selects a province (2), city (4) or county (6). */
export function regionCodePrefix(regionCode: string | null | undefined, field: string): string | null {
  if (regionCode === null || regionCode === undefined) return null;
  const trimmed = regionCode.trim();
  if (!/^\d{1,6}$/.test(trimmed)) throw badUserInput(field, 'must be 1 to 6 digits of a GB/T 2260 region code');
  return trimmed;
}

/** Suppliers by name then id (so pages are stable), optionally under a region code prefix. */
export async function findSuppliersPage(db: SuppliersDb, regionPrefix: string | null, page: PageRequest): Promise<SupplierConnection> {
  // Merged suppliers live on only as another's spelling.
  const inRegion: Prisma.SupplierWhereInput = regionPrefix ? { regionCode: { startsWith: regionPrefix }, mergedIntoId: null } : { mergedIntoId: null };
  const after: Prisma.SupplierWhereInput = afterCursorWhere(page.after, 'name', 'asc', textCursorKey);
  const rows = await db.supplier.findMany({
    where: { AND: [inRegion, after] },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: page.first + 1,
  });
  return connectionFromRows(
    rows,
    page,
    (row: Supplier) => ({ order: ORDER, key: row.name, id: row.id }),
    () => db.supplier.count({ where: inRegion }),
  );
}

export const SUPPLIER_ORDER = ORDER;
