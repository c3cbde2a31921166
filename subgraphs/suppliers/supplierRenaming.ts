// The supplier key (county + normalized name) is computed by code, and the
// code learns new spellings (a township's 乡, the 乡村振兴 workshops): stored
// suppliers are brought up to the current rule at start, so a feed naming a
// producer the new way finds the supplier stored the old way. Idempotent and
// run under the setup lock, so replicas starting together rename once.
import { normalizeSupplierName } from './supplierName';
import { recordNearMisses } from './supplierReview';
import type { SuppliersDb } from './store';

/** Renames stored keys that the current rule spells otherwise; returns how many changed and how many now collide. */
export async function renormalizeSupplierNames(db: SuppliersDb): Promise<{ renamed: number; collisions: number }> {
  const suppliers = await db.supplier.findMany({ include: { region: true } });
  const taken = new Set(suppliers.map((supplier) => `${supplier.regionCode}|${supplier.normalizedName}`));
  const renames: { id: string; normalizedName: string }[] = [];
  const collided: typeof suppliers = [];
  for (const supplier of suppliers) {
    const current = normalizeSupplierName(supplier.name, supplier.region);
    if (current === supplier.normalizedName) continue;
    const key = `${supplier.regionCode}|${current}`;
    // Two stored suppliers that are one producer under the new rule: staff decide (a suggestion), nothing is merged silently.
    if (taken.has(key)) {
      collided.push({ ...supplier, normalizedName: current });
      continue;
    }
    taken.add(key);
    renames.push({ id: supplier.id, normalizedName: current });
  }
  if (renames.length > 0) {
    await db.$executeRaw`
      UPDATE supplier s SET normalized_name = t.normalized_name, updated_at = now()
      FROM unnest(${renames.map((r) => r.id)}::text[], ${renames.map((r) => r.normalizedName)}::text[]) AS t(id, normalized_name)
      WHERE s.id = t.id`;
  }
  if (collided.length > 0) await recordNearMisses(db, collided);
  return { renamed: renames.length, collisions: collided.length };
}
