// Supplier identity under review. The key (county + normalized name) catches
// the spellings it knows; a new supplier whose name is merely alike to one of
// its county is created, and the pair waits for staff as a suggestion, never
// merged silently. Staff merge duplicates: the products follow (the products
// subgraph is told first, idempotently), the merged supplier's id and its
// spelling answer with the survivor from then on.
import { randomUUID } from 'node:crypto';
import { afterCursorWhere, connectionFromRows, scoreCursorKey, type Connection, type PageRequest } from '../../common/connection';
import { badUserInput, dependencyUnavailable, notFound, staffReason } from '../../common/errors';
import type { Identity } from '../../common/identity';
import type { SubgraphClient } from '../../common/subgraphClient';
import type { Prisma, Supplier, SupplierSuggestion } from './generated/prisma/client';
// The operation the products subgraph is sent is operations/products.graphql.
import { SupplierMergedDocument } from './generated/productsOperations';
import type { SuppliersDb } from './store';

export const SUPPLIER_SUGGESTION_ORDER = 'SCORE_DESC';

// Names this alike (character pairs shared, 0 to 1) within one county are
// worth a look by staff.
export const NEAR_MISS_THRESHOLD = 0.5;

function bigrams(text: string): Set<string> {
  const chars = [...text];
  if (chars.length < 2) return new Set(chars);
  const pairs = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) pairs.add(chars[i]! + chars[i + 1]!);
  return pairs;
}

function similarity(a: { name: string; pairs: Set<string> }, b: { name: string; pairs: Set<string> }): number {
  if (a.name === b.name) return 1;
  if (a.name.length >= 2 && b.name.length >= 2 && (a.name.includes(b.name) || b.name.includes(a.name))) return 1;
  let shared = 0;
  for (const pair of a.pairs) if (b.pairs.has(pair)) shared++;
  return a.pairs.size + b.pairs.size === 0 ? 0 : (2 * shared) / (a.pairs.size + b.pairs.size);
}

/** How alike two normalized supplier names are: 1 when one contains the other, else the Dice coefficient of their character pairs. */
export function supplierNameSimilarity(a: string, b: string): number {
  return similarity({ name: a, pairs: bigrams(a) }, { name: b, pairs: bigrams(b) });
}

// A new supplier is suggested beside its few closest neighbours, not beside
// every alike name of a county with hundreds of cooperatives.
const MAX_SUGGESTIONS_PER_SUPPLIER = 3;
// Below this many names a county's pairs are all indexed.
const COMMON_PAIR_MIN_NAMES = 50;

/** Records a suggestion for each new supplier that resembles another of its county (one read, one write). */
export async function recordNearMisses(db: SuppliersDb, created: readonly Supplier[]): Promise<void> {
  if (created.length === 0) return;
  const createdIds = new Set(created.map((supplier) => supplier.id));
  const neighbours = await db.supplier.findMany({
    where: { regionCode: { in: [...new Set(created.map((supplier) => supplier.regionCode))] }, mergedIntoId: null },
    select: { id: true, regionCode: true, normalizedName: true },
  });
  // Per county, an index from character pair to the names holding it, so a
  // new name is compared only with names it shares a pair with. Pairs that
  // most names of a large county share (合作 of 合作社) say nothing and are
  // left out of the index; the score still counts them.
  interface Entry {
    id: string;
    name: string;
    pairs: Set<string>;
  }
  const counties = new Map<string, { entries: Entry[]; index: Map<string, Entry[]> }>();
  for (const neighbour of neighbours) {
    const entry = { id: neighbour.id, name: neighbour.normalizedName, pairs: bigrams(neighbour.normalizedName) };
    let county = counties.get(neighbour.regionCode);
    if (!county) counties.set(neighbour.regionCode, (county = { entries: [], index: new Map() }));
    county.entries.push(entry);
    for (const pair of entry.pairs) {
      const holders = county.index.get(pair);
      if (holders) holders.push(entry);
      else county.index.set(pair, [entry]);
    }
  }
  const suggestions: { id: string; supplierId: string; similarId: string; score: number }[] = [];
  for (const supplier of created) {
    const county = counties.get(supplier.regionCode);
    if (!county) continue;
    const self = { name: supplier.normalizedName, pairs: bigrams(supplier.normalizedName) };
    const commonPair = Math.max(COMMON_PAIR_MIN_NAMES, county.entries.length / 4);
    const candidates = new Set<Entry>();
    for (const pair of self.pairs) {
      const holders = county.index.get(pair) ?? [];
      if (holders.length <= commonPair) for (const holder of holders) candidates.add(holder);
    }
    // A name that contains another, or is contained, shares no rare pair only when it is short: compare those too.
    if (self.name.length <= 3) for (const entry of county.entries) candidates.add(entry);
    const alike: { similarId: string; score: number }[] = [];
    for (const other of candidates) {
      if (other.id === supplier.id) continue;
      // Two suppliers created by one batch are suggested once.
      if (createdIds.has(other.id) && other.id > supplier.id) continue;
      const score = similarity(self, other);
      if (score >= NEAR_MISS_THRESHOLD) alike.push({ similarId: other.id, score: Math.round(score * 100) / 100 });
    }
    alike.sort((a, b) => b.score - a.score || (a.similarId < b.similarId ? -1 : 1));
    for (const { similarId, score } of alike.slice(0, MAX_SUGGESTIONS_PER_SUPPLIER))
      suggestions.push({ id: `ssg_${randomUUID()}`, supplierId: supplier.id, similarId, score });
  }
  if (suggestions.length > 0) await db.supplierSuggestion.createMany({ data: suggestions, skipDuplicates: true });
}

export type SupplierSuggestionPage = Connection<SupplierSuggestion>;

export async function findSupplierSuggestions(db: SuppliersDb, page: PageRequest): Promise<SupplierSuggestionPage> {
  const after: Prisma.SupplierSuggestionWhereInput = afterCursorWhere(page.after, 'score', 'desc', scoreCursorKey);
  const rows = await db.supplierSuggestion.findMany({ where: after, orderBy: [{ score: 'desc' }, { id: 'asc' }], take: page.first + 1 });
  return connectionFromRows(
    rows,
    page,
    (row) => ({ order: SUPPLIER_SUGGESTION_ORDER, key: Number(row.score).toFixed(2), id: row.id }),
    () => db.supplierSuggestion.count(),
  );
}

export interface SupplierReviewDeps {
  db: SuppliersDb;
  products: SubgraphClient;
  identity: Identity;
}

export async function mergeSuppliers(deps: SupplierReviewDeps, args: { survivorId: string; mergedId: string; reason: string }): Promise<Supplier> {
  const reason = staffReason(args.reason, 'supplier');
  if (args.survivorId === args.mergedId) throw badUserInput('mergedId', 'is the survivor itself');
  const found = await deps.db.supplier.findMany({ where: { id: { in: [args.survivorId, args.mergedId] } } });
  const survivor = found.find((supplier) => supplier.id === args.survivorId);
  const merged = found.find((supplier) => supplier.id === args.mergedId);
  if (!survivor) throw notFound(`No supplier ${args.survivorId}.`);
  if (!merged) throw notFound(`No supplier ${args.mergedId}.`);
  if (survivor.mergedIntoId) throw badUserInput('survivorId', `${survivor.id} was merged into ${survivor.mergedIntoId}: merge into that one`);
  if (merged.mergedIntoId) throw badUserInput('mergedId', `${merged.id} was already merged into ${merged.mergedIntoId}`);
  if (survivor.regionCode !== merged.regionCode) {
    throw badUserInput('mergedId', `${merged.id} is in county ${merged.regionCode}, ${survivor.id} in ${survivor.regionCode}: one producer is one county's`);
  }
  // Products first: the call is idempotent, so a failure after it is repaired by trying again.
  try {
    await deps.products.request(SupplierMergedDocument, { fromSupplierId: merged.id, toSupplierId: survivor.id, actor: deps.identity.sub, reason });
  } catch {
    throw dependencyUnavailable('products', "The products subgraph could not move the supplier's products: nothing was merged, try again.");
  }
  return deps.db.$transaction(async (tx) => {
    const moved = await tx.supplier.updateMany({ where: { id: merged.id, mergedIntoId: null }, data: { mergedIntoId: survivor.id } });
    if (moved.count === 0) throw badUserInput('mergedId', `${merged.id} was merged meanwhile`);
    await tx.supplier.updateMany({ where: { mergedIntoId: merged.id }, data: { mergedIntoId: survivor.id } });
    const households = Math.max(survivor.beneficiaryHouseholds, merged.beneficiaryHouseholds);
    await tx.supplierSuggestion.deleteMany({ where: { OR: [{ supplierId: merged.id }, { similarId: merged.id }] } });
    await tx.supplierEvent.createMany({
      data: [
        { id: `sev_${randomUUID()}`, supplierId: survivor.id, kind: 'MERGED_FROM', actor: deps.identity.sub, reason, detail: `${merged.id} (${merged.name})` },
        {
          id: `sev_${randomUUID()}`,
          supplierId: merged.id,
          kind: 'MERGED_INTO',
          actor: deps.identity.sub,
          reason,
          detail: `${survivor.id} (${survivor.name})`,
        },
      ],
    });
    return tx.supplier.update({ where: { id: survivor.id }, data: { beneficiaryHouseholds: households } });
  });
}

export async function dismissSupplierSuggestion(deps: Omit<SupplierReviewDeps, 'products'>, args: { id: string; reason: string }): Promise<boolean> {
  const reason = staffReason(args.reason, 'supplier');
  return deps.db.$transaction(async (tx) => {
    const suggestion = await tx.supplierSuggestion.findUnique({ where: { id: args.id } });
    if (!suggestion) throw notFound(`No supplier suggestion ${args.id}.`);
    await tx.supplierSuggestion.delete({ where: { id: suggestion.id } });
    await tx.supplierEvent.createMany({
      data: [suggestion.supplierId, suggestion.similarId].map((supplierId) => ({
        id: `sev_${randomUUID()}`,
        supplierId,
        kind: 'SUGGESTION_DISMISSED',
        actor: deps.identity.sub,
        reason,
        detail: `${suggestion.supplierId} and ${suggestion.similarId} are different producers`,
      })),
    });
    return true;
  });
}
