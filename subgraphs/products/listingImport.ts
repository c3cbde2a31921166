import { randomUUID } from 'node:crypto';
import { badUserInput, forbidden, notFound } from '../../common/errors';
import type { Identity } from '../../common/identity';
import { gtinKey, validateFeedRow, type FeedListing } from '../../common/listingFeed';
import type { SubgraphClient } from '../../common/subgraphClient';
import { insertListings, insertProducts, type NewListingRow, type NewProductRow } from './catalogWrites';
import type { Listing, Product } from './generated/prisma/client';
import type { ListingInput } from './generated/graphql';
import { refreshListingAggregates } from './listingAggregates';
import { blockingKey, decideMatch, productNameFromTitle, type MatchCandidate } from './listingMatching';
import type { ListingResult, UpsertListingsResult } from './schema.mappers';
import type { ProductsDb } from './store';

export const MAX_LISTINGS_PER_CALL = 1000;

export interface ListingImportDeps {
  db: ProductsDb;
  suppliers: SubgraphClient;
  identity: Identity;
  matchThreshold: number;
}

const RESOLVE_SUPPLIERS = /* GraphQL */ `
  mutation ResolveSuppliers($suppliers: [SupplierNameInput!]!) {
    resolveSuppliers(suppliers: $suppliers) { supplier { id region { code } } problemField problem }
  }
`;

interface SupplierFacts {
  id: string;
  regionCode: string;
}

// Feed rows and GraphQL listings share one validator: the GraphQL input is
// renamed to the feed's field names, so both report problems by feed field.
function asFeedRow(input: ListingInput): Record<string, unknown> {
  return {
    platform_sku: input.platformSku,
    title: input.title,
    price: input.price,
    currency: input.currency,
    gtin: input.gtin,
    unit: input.unit,
    stock: input.stock,
    monthly_sales: input.monthlySales,
    url: input.url,
    category: input.category,
    supplier_name: input.supplierName,
    supplier_region_code: input.supplierRegionCode,
    description: input.description,
  };
}

/** Every spelling of a GTIN that names the same item (GTIN-8/12/13 are GTIN-14 with leading zeros). */
export function gtinSpellings(gtin: string): string[] {
  const key = gtinKey(gtin);
  return [...new Set([8, 12, 13, 14].filter((length) => /^0*$/.test(key.slice(0, 14 - length))).map((length) => key.slice(14 - length)))];
}

function sameListing(listing: Listing, row: FeedListing): boolean {
  return (
    listing.title === row.title &&
    listing.price.toFixed(2) === row.price &&
    listing.currency === row.currency &&
    listing.stock === row.stock &&
    listing.monthlySales === row.monthlySales &&
    listing.url === row.url &&
    listing.gtin === row.gtin &&
    listing.unit === row.unit
  );
}

function listingFields(row: FeedListing) {
  return {
    title: row.title,
    price: row.price,
    currency: row.currency,
    stock: row.stock,
    monthlySales: row.monthlySales,
    url: row.url,
    gtin: row.gtin,
    unit: row.unit,
  };
}

async function resolveSupplierFacts(
  client: SubgraphClient,
  rows: FeedListing[],
): Promise<Map<string, SupplierFacts | { problemField: string; problem: string }>> {
  const keyOf = (row: FeedListing) => `${row.supplierRegionCode}|${row.supplierName}`;
  const distinct = [...new Map(rows.map((row) => [keyOf(row), row])).values()];
  const resolved = new Map<string, SupplierFacts | { problemField: string; problem: string }>();
  if (distinct.length === 0) return resolved;
  const { resolveSuppliers } = await client.request<{
    resolveSuppliers: { supplier: { id: string; region: { code: string } } | null; problemField: string | null; problem: string | null }[];
  }>(RESOLVE_SUPPLIERS, { suppliers: distinct.map((row) => ({ name: row.supplierName, regionCode: row.supplierRegionCode })) });
  distinct.forEach((row, index) => {
    const answer = resolveSuppliers[index];
    resolved.set(
      keyOf(row),
      answer.supplier
        ? { id: answer.supplier.id, regionCode: answer.supplier.region.code }
        : { problemField: answer.problemField ?? 'supplier_name', problem: answer.problem ?? 'cannot be resolved' },
    );
  });
  return resolved;
}

/**
 * upsertListings: validates each listing like a feed row, resolves suppliers
 * through the suppliers subgraph, then, in one transaction, updates known
 * listings, links new ones to their catalog product (or creates it) and keeps
 * the catalog's price and sales columns in step. Matching decisions for the
 * whole batch are taken under one advisory lock, so two imports running at
 * once (different platforms) never create the same product twice.
 */
export async function upsertListings(
  deps: ListingImportDeps,
  platformCode: string,
  inputs: readonly ListingInput[],
  explain: boolean,
): Promise<UpsertListingsResult> {
  if (!deps.identity.authenticated) throw forbidden('upsertListings needs a partner token.');
  if (!deps.identity.roles.includes('partner')) throw forbidden('upsertListings needs the role partner.');
  if (deps.identity.platform !== platformCode) {
    throw forbidden(`A partner token for ${deps.identity.platform ?? 'no platform'} cannot change listings of ${platformCode}.`);
  }
  if (inputs.length > MAX_LISTINGS_PER_CALL) {
    throw badUserInput('listings', `at most ${MAX_LISTINGS_PER_CALL} per call, got ${inputs.length}`);
  }
  const platform = await deps.db.platform.findUnique({ where: { code: platformCode } });
  if (!platform) throw notFound(`No platform ${platformCode}; register it first.`);

  const results: ListingResult[] = inputs.map((input, index) => ({
    index,
    platformSku: input.platformSku?.trim() || null,
    status: 'REJECTED',
    listing: null,
    product: null,
    productCreated: false,
    match: null,
    problems: [],
  }));
  const valid = new Map<number, FeedListing>();
  const seenSkus = new Set<string>();
  inputs.forEach((input, index) => {
    const checked = validateFeedRow(asFeedRow(input));
    if (!checked.listing) {
      results[index].problems = checked.problems;
    } else if (seenSkus.has(checked.listing.platformSku)) {
      results[index].problems = [{ field: 'platform_sku', reason: 'appears more than once in this batch' }];
    } else {
      seenSkus.add(checked.listing.platformSku);
      valid.set(index, checked.listing);
    }
  });

  const suppliers = await resolveSupplierFacts(deps.suppliers, [...valid.values()]);
  const ready = new Map<number, { row: FeedListing; supplier: SupplierFacts }>();
  for (const [index, row] of valid) {
    const supplier = suppliers.get(`${row.supplierRegionCode}|${row.supplierName}`);
    if (!supplier || !('id' in supplier)) {
      results[index].problems = [{ field: supplier?.problemField ?? 'supplier_name', reason: supplier?.problem ?? 'cannot be resolved' }];
    } else {
      ready.set(index, { row, supplier });
    }
  }

  // Created listings are read back after the commit, by id, for the results.
  const createdListingIds = new Map<number, string>();
  await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('relief-goods-graph:listing-matching'))`;
      const existing = new Map(
        (
          await tx.listing.findMany({
            where: { platformCode, externalId: { in: [...ready.values()].map(({ row }) => row.platformSku) } },
          })
        ).map((listing) => [listing.externalId, listing]),
      );
      const fresh = [...ready].filter(([, { row }]) => !existing.has(row.platformSku));
      const keys = new Map(
        fresh.map(([index, { row, supplier }]) => [index, blockingKey({ supplierKey: supplier.id, title: row.title, unit: row.unit })]),
      );
      const gtins = fresh.flatMap(([, { row }]) => (row.gtin ? gtinSpellings(row.gtin) : []));
      const candidates: MatchCandidate[] =
        fresh.length === 0
          ? []
          : (
              await tx.product.findMany({
                where: { OR: [{ gtin: { in: gtins } }, { matchKey: { in: [...new Set(keys.values())] } }] },
                select: { id: true, gtin: true, matchKey: true, name: true },
                orderBy: { id: 'asc' },
              })
            ).map((product) => ({
              productId: product.id,
              gtin: product.gtin ? gtinKey(product.gtin) : null,
              blockingKey: product.matchKey ?? '',
              name: product.name,
            }));

      const newProducts: NewProductRow[] = [];
      const newListings: NewListingRow[] = [];
      const touched = new Set<string>();
      const now = new Date();
      for (const [index, { row, supplier }] of ready) {
        const result = results[index];
        const known = existing.get(row.platformSku);
        if (known) {
          touched.add(known.productId);
          result.match = explain ? `already listed: stays linked to ${known.productId}` : null;
          if (sameListing(known, row)) {
            result.status = 'UNCHANGED';
            result.listing = known;
            continue;
          }
          result.status = 'UPDATED';
          result.listing = await tx.listing.update({ where: { id: known.id }, data: { ...listingFields(row), updatedAt: now } });
          continue;
        }
        const decision = decideMatch(
          { gtin: row.gtin ? gtinKey(row.gtin) : null, supplierKey: supplier.id, title: row.title, unit: row.unit },
          candidates,
          { threshold: deps.matchThreshold },
        );
        let productId = decision.productId;
        if (decision.kind === 'new' || !productId) {
          productId = `prd_${randomUUID()}`;
          const name = productNameFromTitle(row.title);
          const gtinTaken = row.gtin !== null && candidates.some((candidate) => candidate.gtin === gtinKey(row.gtin!));
          newProducts.push({
            id: productId,
            name,
            description: row.description,
            gtin: gtinTaken ? null : row.gtin,
            category: row.category ?? 'OTHER',
            unit: row.unit,
            originRegionCode: supplier.regionCode,
            supplierId: supplier.id,
            matchKey: keys.get(index)!,
            at: now,
          });
          candidates.push({ productId, gtin: gtinTaken || !row.gtin ? null : gtinKey(row.gtin), blockingKey: keys.get(index)!, name });
          result.productCreated = true;
        }
        const listing: NewListingRow = {
          id: `lst_${randomUUID()}`,
          platformCode,
          externalId: row.platformSku,
          productId,
          ...listingFields(row),
          at: now,
        };
        newListings.push(listing);
        touched.add(productId);
        result.status = 'CREATED';
        result.match = explain ? decision.explanation : null;
        createdListingIds.set(index, listing.id);
      }
      await insertProducts(tx, newProducts);
      await insertListings(tx, newListings);
      await refreshListingAggregates(tx, [...touched]);
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
  return summarize(deps.db, results, createdListingIds);
}

// Loads what the results point at (two statements) and counts the outcomes.
async function summarize(
  db: ProductsDb,
  results: ListingResult[],
  createdListingIds: Map<number, string>,
): Promise<UpsertListingsResult> {
  if (createdListingIds.size > 0) {
    const created = new Map(
      (await db.listing.findMany({ where: { id: { in: [...createdListingIds.values()] } } })).map((listing) => [listing.id, listing]),
    );
    for (const [index, id] of createdListingIds) results[index].listing = created.get(id) ?? null;
  }
  const productIds = [...new Set(results.flatMap((result) => (result.listing ? [result.listing.productId] : [])))];
  const products = new Map<string, Product>((await db.product.findMany({ where: { id: { in: productIds } } })).map((p) => [p.id, p]));
  for (const result of results) result.product = result.listing ? products.get(result.listing.productId) ?? null : null;
  const count = (status: ListingResult['status']) => results.filter((result) => result.status === status).length;
  const createdResults = results.filter((result) => result.status === 'CREATED');
  return {
    created: count('CREATED'),
    updated: count('UPDATED'),
    unchanged: count('UNCHANGED'),
    rejected: count('REJECTED'),
    newProducts: createdResults.filter((result) => result.productCreated).length,
    linkedToExisting: createdResults.filter((result) => !result.productCreated).length,
    results,
  };
}
