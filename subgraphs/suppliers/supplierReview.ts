// Supplier identity under review. The key (county + normalized name) catches
// the spellings it knows; a new supplier whose name is merely alike to one of
// its county is created, and the pair waits for staff as a suggestion, never
// merged silently. Staff merge duplicates: the products follow (the products
// subgraph is told first, idempotently), the merged supplier's id and its
// spelling answer with the survivor from then on.
import { randomUUID } from 'node:crypto';
import { pageFromRows, type Edge, type PageInfo, type PageRequest } from '../../common/connection';
import { badUserInput, dependencyUnavailable, notFound } from '../../common/errors';
import type { Identity } from '../../common/identity';
import type { SubgraphClient } from '../../common/subgraphClient';
import { Prisma, type Supplier, type SupplierSuggestion } from './generated/prisma/client';
import type { SuppliersDb } from './store';

export const SUPPLIER_SUGGESTION_ORDER = 'SCORE_DESC';

// Names this alike (character pairs shared, 0 to 1) within one county are
// worth a look by staff.
export const NEAR_MISS_THRESHOLD = 0.5;

const MAX_REASON_LENGTH = 500;

function bigrams(text: string): Set<string> {
  const chars = [...text];
  if (chars.length < 2) return new Set(chars);
  const pairs = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) pairs.add(chars[i]! + chars[i + 1]!);
  return pairs;
}

/** How alike two normalized supplier names are: 1 when one contains the other, else the Dice coefficient of their character pairs. */
export function supplierNameSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length >= 2 && b.length >= 2 && (a.includes(b) || b.includes(a))) return 1;
  const x = bigrams(a);
  const y = bigrams(b);
  let shared = 0;
  for (const pair of x) if (y.has(pair)) shared++;
  return x.size + y.size === 0 ? 0 : (2 * shared) / (x.size + y.size);
}

/** Records a suggestion for each new supplier that resembles another of its county (one read, one write). */
export async function recordNearMisses(db: SuppliersDb, created: readonly Supplier[]): Promise<void> {
  if (created.length === 0) return;
  const createdIds = new Set(created.map((supplier) => supplier.id));
  const neighbours = await db.supplier.findMany({
    where: { regionCode: { in: [...new Set(created.map((supplier) => supplier.regionCode))] }, mergedIntoId: null },
    select: { id: true, regionCode: true, normalizedName: true, createdAt: true },
  });
  const suggestions: { id: string; supplierId: string; similarId: string; score: number }[] = [];
  for (const supplier of created) {
    for (const other of neighbours) {
      if (other.id === supplier.id || other.regionCode !== supplier.regionCode) continue;
      // Two suppliers created by one batch are suggested once.
      if (createdIds.has(other.id) && other.id > supplier.id) continue;
      const score = supplierNameSimilarity(supplier.normalizedName, other.normalizedName);
      if (score >= NEAR_MISS_THRESHOLD) suggestions.push({ id: `ssg_${randomUUID()}`, supplierId: supplier.id, similarId: other.id, score: Math.round(score * 100) / 100 });
    }
  }
  if (suggestions.length > 0) await db.supplierSuggestion.createMany({ data: suggestions, skipDuplicates: true });
}

export interface SupplierSuggestionPage {
  edges: Edge<SupplierSuggestion>[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

export async function findSupplierSuggestions(db: SuppliersDb, page: PageRequest): Promise<SupplierSuggestionPage> {
  let after: Prisma.SupplierSuggestionWhereInput = {};
  if (page.after) {
    const key = page.after.key;
    if (typeof key !== 'string' || !/^[01]\.\d{2}$/.test(key)) throw badUserInput('after', 'is not a cursor returned by this connection');
    after = { OR: [{ score: { lt: key } }, { score: key, id: { gt: page.after.id } }] };
  }
  const rows = await db.supplierSuggestion.findMany({ where: after, orderBy: [{ score: 'desc' }, { id: 'asc' }], take: page.first + 1 });
  return {
    ...pageFromRows(
      rows,
      page,
      (row) => ({ order: SUPPLIER_SUGGESTION_ORDER, key: Number(row.score).toFixed(2), id: row.id }),
      (row) => row,
    ),
    totalCount: () => db.supplierSuggestion.count(),
  };
}

function reasonOf(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length === 0) throw badUserInput('reason', 'must say why (it goes into the supplier history)');
  if (trimmed.length > MAX_REASON_LENGTH) throw badUserInput('reason', `at most ${MAX_REASON_LENGTH} characters, got ${trimmed.length}`);
  return trimmed;
}

const SUPPLIER_MERGED = /* GraphQL */ `
  mutation SupplierMerged($fromSupplierId: ID!, $toSupplierId: ID!, $actor: String!, $reason: String!) {
    supplierMerged(fromSupplierId: $fromSupplierId, toSupplierId: $toSupplierId, actor: $actor, reason: $reason)
  }
`;

export interface SupplierReviewDeps {
  db: SuppliersDb;
  products: SubgraphClient;
  identity: Identity;
}

export async function mergeSuppliers(deps: SupplierReviewDeps, args: { survivorId: string; mergedId: string; reason: string }): Promise<Supplier> {
  const reason = reasonOf(args.reason);
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
    await deps.products.request(SUPPLIER_MERGED, { fromSupplierId: merged.id, toSupplierId: survivor.id, actor: deps.identity.sub, reason });
  } catch {
    throw dependencyUnavailable('products', 'The products subgraph could not move the supplier\'s products: nothing was merged, try again.');
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
        { id: `sev_${randomUUID()}`, supplierId: merged.id, kind: 'MERGED_INTO', actor: deps.identity.sub, reason, detail: `${survivor.id} (${survivor.name})` },
      ],
    });
    return tx.supplier.update({ where: { id: survivor.id }, data: { beneficiaryHouseholds: households } });
  });
}

export async function dismissSupplierSuggestion(deps: Omit<SupplierReviewDeps, 'products'>, args: { id: string; reason: string }): Promise<boolean> {
  const reason = reasonOf(args.reason);
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
