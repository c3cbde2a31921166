import { demoCatalog } from '../../demo/demoCatalog';
import type { SuppliersDb } from './store';

/** Seeds the demo regions and suppliers into an empty store, in one transaction. */
export async function seedSuppliersIfEmpty(db: SuppliersDb, now = new Date()): Promise<boolean> {
  if ((await db.region.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction([
    db.region.createMany({ data: catalog.regions }),
    db.supplier.createMany({ data: catalog.suppliers }),
  ]);
  return true;
}
