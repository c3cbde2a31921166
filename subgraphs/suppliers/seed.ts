import { demoCatalog, type DemoCatalog } from '../../demo/demoCatalog';
import type { Prisma } from './generated/prisma/client';
import { normalizeSupplierName } from './supplierName';
import type { SuppliersDb } from './store';

/** The demo suppliers as rows: each with its normalized name, by the rule names are matched with. */
export function demoSupplierRows(catalog: Pick<DemoCatalog, 'regions' | 'suppliers'>): Prisma.SupplierCreateManyInput[] {
  const regionByCode = new Map(catalog.regions.map((region) => [region.code, region]));
  return catalog.suppliers.map((supplier) => {
    const region = regionByCode.get(supplier.regionCode);
    if (!region) throw new Error(`demo supplier ${supplier.name} is in unknown region ${supplier.regionCode}`);
    return { ...supplier, normalizedName: normalizeSupplierName(supplier.name, region) };
  });
}

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
      await tx.supplier.createMany({ data: demoSupplierRows(catalog) });
    },
    // Prisma's default of 5 s is for requests; on a busy machine this one-off seed can take longer.
    { timeout: 60_000 },
  );
  return true;
}
