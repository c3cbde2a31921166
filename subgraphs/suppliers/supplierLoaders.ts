import { rowByKeyLoader } from '../../common/loaders';
import type { SuppliersDb } from './store';

/** One set per request: entity fetches from the gateway for many suppliers cost one query per type. */
export function createSupplierLoaders(db: SuppliersDb) {
  return {
    supplierById: rowByKeyLoader(
      (ids: readonly string[]) => db.supplier.findMany({ where: { id: { in: [...ids] } } }),
      (row) => row.id,
    ),
    regionByCode: rowByKeyLoader(
      (codes: readonly string[]) => db.region.findMany({ where: { code: { in: [...codes] } } }),
      (row) => row.code,
    ),
  };
}

export type SupplierLoaders = ReturnType<typeof createSupplierLoaders>;
