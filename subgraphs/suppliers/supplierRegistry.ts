import { randomUUID } from 'node:crypto';
import { normalizeSupplierName } from './supplierName';
import type { Supplier, SupplierKind } from './generated/prisma/client';
import type { SuppliersDb } from './store';
import { recordNearMisses } from './supplierReview';

export const MAX_SUPPLIERS_PER_CALL = 1000;

export interface SupplierResolution {
  supplier: Supplier | null;
  created: boolean;
  problemField: string | null;
  problem: string | null;
}

// A feed names a producer, not its legal form: the name usually says it.
const KIND_BY_NAME: [RegExp, SupplierKind][] = [
  [/(帮扶|扶贫|就业|爱心)车间|工坊/, 'RELIEF_WORKSHOP'],
  [/合作社|合作联社/, 'COOPERATIVE'],
  [/家庭农场|农场|种植户|养殖户/, 'FAMILY_FARM'],
];

export function supplierKindFromName(name: string): SupplierKind {
  return KIND_BY_NAME.find(([pattern]) => pattern.test(name))?.[1] ?? 'ENTERPRISE';
}

/**
 * Finds or creates the supplier of each (name, county code) in three
 * statements whatever the count: regions, existing suppliers, then one insert
 * of the missing ones. The unique (region, normalized name) index makes
 * concurrent imports that name the same new producer converge on one row.
 */
export async function resolveSuppliers(db: SuppliersDb, inputs: readonly { name: string; regionCode: string }[]): Promise<SupplierResolution[]> {
  const trimmed = inputs.map((input) => ({ name: input.name.trim(), regionCode: input.regionCode.trim() }));
  const codes = [...new Set(trimmed.map((input) => input.regionCode).filter((code) => /^\d{6}$/.test(code)))];
  const regions = new Map((await db.region.findMany({ where: { code: { in: codes } } })).map((region) => [region.code, region]));

  type Wanted = { ok: true; name: string; regionCode: string; normalizedName: string } | { ok: false; problemField: string; problem: string };
  const wanted = trimmed.map((input): Wanted => {
    if (!input.name) return { ok: false, problemField: 'supplier_name', problem: 'is required' };
    if (!/^\d{6}$/.test(input.regionCode)) {
      return { ok: false, problemField: 'supplier_region_code', problem: 'must be a six-digit GB/T 2260 county code' };
    }
    const region = regions.get(input.regionCode);
    if (!region) return { ok: false, problemField: 'supplier_region_code', problem: `${input.regionCode} is not a known county code` };
    return { ok: true, name: input.name, regionCode: input.regionCode, normalizedName: normalizeSupplierName(input.name, region) };
  });
  const keyOf = (regionCode: string, normalizedName: string) => `${regionCode}|${normalizedName}`;
  const valid = wanted.filter((entry): entry is Extract<Wanted, { ok: true }> => entry.ok);
  // Two IN lists over the (region, normalized name) index, then an exact match
  // here: one indexed statement, where an OR of pairs would be planned badly.
  const wantedKeys = new Set(valid.map((entry) => keyOf(entry.regionCode, entry.normalizedName)));
  const find = async () =>
    valid.length === 0
      ? []
      : (
          await db.supplier.findMany({
            where: {
              regionCode: { in: [...new Set(valid.map((entry) => entry.regionCode))] },
              normalizedName: { in: [...new Set(valid.map((entry) => entry.normalizedName))] },
            },
          })
        ).filter((supplier) => wantedKeys.has(keyOf(supplier.regionCode, supplier.normalizedName)));
  const existing = new Map((await find()).map((supplier) => [keyOf(supplier.regionCode, supplier.normalizedName), supplier]));
  const missing = new Map<string, (typeof valid)[number]>();
  for (const entry of valid) {
    const key = keyOf(entry.regionCode, entry.normalizedName);
    if (!existing.has(key) && !missing.has(key)) missing.set(key, entry);
  }
  let found = existing;
  if (missing.size > 0) {
    await db.supplier.createMany({
      data: [...missing.values()].map((entry) => ({
        id: `sup_${randomUUID()}`,
        name: entry.name,
        normalizedName: entry.normalizedName,
        kind: supplierKindFromName(entry.name),
        regionCode: entry.regionCode,
        beneficiaryHouseholds: 0,
      })),
      skipDuplicates: true,
    });
    found = new Map((await find()).map((supplier) => [keyOf(supplier.regionCode, supplier.normalizedName), supplier]));
    await recordNearMisses(
      db,
      [...missing.keys()]
        .map((key) => found.get(key))
        .filter((supplier): supplier is Supplier => supplier !== undefined && !existing.has(keyOf(supplier.regionCode, supplier.normalizedName))),
    );
  }
  // A spelling of a merged supplier names the supplier it was merged into.
  const mergedInto = [...found.values()].map((supplier) => supplier.mergedIntoId).filter((id): id is string => id !== null);
  if (mergedInto.length > 0) {
    const survivors = new Map((await db.supplier.findMany({ where: { id: { in: mergedInto } } })).map((supplier) => [supplier.id, supplier]));
    for (const [key, supplier] of found) if (supplier.mergedIntoId) found.set(key, survivors.get(supplier.mergedIntoId) ?? supplier);
  }
  return wanted.map((entry) => {
    if (!entry.ok) return { supplier: null, created: false, problemField: entry.problemField, problem: entry.problem };
    const key = keyOf(entry.regionCode, entry.normalizedName);
    return { supplier: found.get(key) ?? null, created: missing.has(key) && !existing.has(key), problemField: null, problem: null };
  });
}
