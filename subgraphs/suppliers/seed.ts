import { demoCatalog } from '../../demo/demoCatalog';
import type { SuppliersDb } from './store';

/**
 * Seeds the demo suppliers into a store without suppliers, in one
 * transaction. The regions exist already (a migration loads every GB/T 2260
 * county); the demo sets their designation and names.
 */
export async function seedSuppliersIfEmpty(db: SuppliersDb, now = new Date()): Promise<boolean> {
  if ((await db.supplier.count()) > 0) return false;
  const catalog = demoCatalog(now);
  await db.$transaction(
    async (tx) => {
      for (const region of catalog.regions) await tx.region.upsert({ where: { code: region.code }, create: region, update: region });
      await tx.supplier.createMany({ data: catalog.suppliers });
    },
    // Prisma's default of 5 s is for requests; on a busy machine this one-off seed can take longer.
    { timeout: 60_000 },
  );
  return true;
}
