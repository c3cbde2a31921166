import { afterCursorWhere, connectionFromRows, textCursorKey, type PageRequest } from '../../common/connection';
import type { Prisma, Supplier } from './generated/prisma/client';
import type { SupplierConnection } from './schema.mappers';
import type { SuppliersDb } from './store';

const ORDER = 'NAME';

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
