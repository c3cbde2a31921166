import DataLoader from 'dataloader';
import { rowByKeyLoader, rowsByKeyLoader } from '../../common/loaders';
import type { SuppliersDb } from './store';

/** One set per request: entity fetches from the gateway for many suppliers cost one query per type. */
export function createSupplierLoaders(db: SuppliersDb) {
  return {
    // A merged supplier's id answers with the supplier it was merged into.
    supplierById: new DataLoader(async (ids: readonly string[]) => {
      const byId = new Map((await db.supplier.findMany({ where: { id: { in: [...ids] } } })).map((row) => [row.id, row]));
      const mergedInto = [...byId.values()].map((row) => row.mergedIntoId).filter((id): id is string => id !== null);
      if (mergedInto.length > 0) {
        const survivors = new Map((await db.supplier.findMany({ where: { id: { in: mergedInto } } })).map((row) => [row.id, row]));
        for (const [id, row] of byId) if (row.mergedIntoId && survivors.has(row.mergedIntoId)) byId.set(id, survivors.get(row.mergedIntoId)!);
      }
      return ids.map((id) => byId.get(id) ?? null);
    }),
    eventsBySupplierId: rowsByKeyLoader(
      (supplierIds: readonly string[]) =>
        db.supplierEvent.findMany({ where: { supplierId: { in: [...supplierIds] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
      (row) => row.supplierId,
    ),
    regionByCode: rowByKeyLoader(
      (codes: readonly string[]) => db.region.findMany({ where: { code: { in: [...codes] } } }),
      (row) => row.code,
    ),
  };
}

export type SupplierLoaders = ReturnType<typeof createSupplierLoaders>;
