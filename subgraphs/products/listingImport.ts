import { randomUUID } from 'node:crypto';
import { badUserInput, forbidden, notFound } from '../../common/errors';
import type { Identity } from '../../common/identity';
import { gtinKey, validateFeedRow, type FeedListing } from '../../common/listingFeed';
import type { SubgraphClient } from '../../common/subgraphClient';
import { insertListings, insertProducts, updateListings, type ChangedListingRow, type NewListingRow, type NewProductRow } from './catalogWrites';
import type { Listing, Product } from './generated/prisma/client';

/** What matching needs of a listing the platform already has. */
type KnownListing = Pick<Listing, 'id' | 'externalId' | 'productId' | 'title' | 'price' | 'currency' | 'stock' | 'monthlySales' | 'url' | 'gtin' | 'unit'>;
import type { ListingInput } from './generated/graphql';
import { refreshListingAggregates } from './listingAggregates';
import { blockingKey, decideMatch, productNameFromTitle, type MatchCandidate } from './listingMatching';
import type { ListingResult, UpsertListingsResult } from './schema.mappers';
import type { ProductsDb } from './store';
import { SupplierDirectory, type SupplierFacts } from './supplierDirectory';

export const MAX_LISTINGS_PER_CALL = 1000;

export interface ListingImportDeps {
  db: ProductsDb;
  suppliers: SubgraphClient;
  supplierDirectory: SupplierDirectory;
  identity: Identity;
  matchThreshold: number;
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

function sameListing(listing: KnownListing, row: FeedListing): boolean {
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
    listingId: null,
    productId: null,
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

  const suppliers = await deps.supplierDirectory.resolve(deps.suppliers, [...valid.values()]);
  const ready = new Map<number, { row: FeedListing; supplier: SupplierFacts }>();
  for (const [index, row] of valid) {
    const supplier = suppliers.get(SupplierDirectory.keyOf(row));
    if (!supplier || !('id' in supplier)) {
      results[index].problems = [{ field: supplier?.problemField ?? 'supplier_name', reason: supplier?.problem ?? 'cannot be resolved' }];
    } else {
      ready.set(index, { row, supplier });
    }
  }
  if (ready.size === 0) return summarize(results);

  // Matching inputs that do not depend on the catalog are worked out before
  // the lock is taken, so the serialised part is only reads, decisions and writes.
  const prepared = new Map(
    [...ready].map(([index, { row, supplier }]) => [
      index,
      {
        gtin: row.gtin ? gtinKey(row.gtin) : null,
        key: blockingKey({ supplierKey: supplier.id, title: row.title, unit: row.unit }),
      },
    ]),
  );

  await deps.db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('relief-goods-graph:listing-matching'))`;
      // Plain SQL with array parameters: a thousand keys are one bound value
      // each, not a thousand placeholders to compile and bind.
      const skus = [...ready.values()].map(({ row }) => row.platformSku);
      const existing = new Map(
        (
          await tx.$queryRaw<KnownListing[]>`
            SELECT id, external_id AS "externalId", product_id AS "productId", title, price, currency, stock,
                   monthly_sales AS "monthlySales", url, gtin, unit
            FROM listing WHERE platform_code = ${platformCode} AND external_id = ANY(${skus}::text[])`
        ).map((listing) => [listing.externalId, listing]),
      );
      const fresh = [...ready].filter(([, { row }]) => !existing.has(row.platformSku));
      const candidates = new CandidateIndex(
        fresh.length === 0
          ? []
          : await tx.$queryRaw<Pick<Product, 'id' | 'gtin' | 'matchKey' | 'name'>[]>`
              SELECT id, gtin, match_key AS "matchKey", name FROM product
              WHERE gtin = ANY(${fresh.flatMap(([, { row }]) => (row.gtin ? gtinSpellings(row.gtin) : []))}::text[])
                 OR match_key = ANY(${[...new Set(fresh.map(([index]) => prepared.get(index)!.key))]}::text[])
              ORDER BY id`,
      );

      const newProducts: NewProductRow[] = [];
      const newListings: NewListingRow[] = [];
      const changedListings: ChangedListingRow[] = [];
      const touched = new Set<string>();
      const now = new Date();
      for (const [index, { row, supplier }] of ready) {
        const result = results[index];
        const known = existing.get(row.platformSku);
        if (known) {
          result.listingId = known.id;
          result.productId = known.productId;
          result.match = explain ? `already listed: stays linked to ${known.productId}` : null;
          if (sameListing(known, row)) {
            result.status = 'UNCHANGED';
            continue;
          }
          result.status = 'UPDATED';
          changedListings.push({ id: known.id, ...listingFields(row), at: now });
          touched.add(known.productId);
          continue;
        }
        const { gtin, key } = prepared.get(index)!;
        const decision = decideMatch(
          { gtin, supplierKey: supplier.id, title: row.title, unit: row.unit },
          candidates.for(gtin, key),
          { threshold: deps.matchThreshold },
        );
        let productId = decision.productId;
        if (decision.kind === 'new' || !productId) {
          productId = `prd_${randomUUID()}`;
          const name = productNameFromTitle(row.title);
          const gtinTaken = gtin !== null && candidates.hasGtin(gtin);
          newProducts.push({
            id: productId,
            name,
            description: row.description,
            gtin: gtinTaken ? null : row.gtin,
            category: row.category ?? 'OTHER',
            unit: row.unit,
            originRegionCode: supplier.regionCode,
            supplierId: supplier.id,
            matchKey: key,
            at: now,
          });
          candidates.add({ productId, gtin: gtinTaken ? null : gtin, blockingKey: key, name });
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
        result.listingId = listing.id;
        result.productId = productId;
      }
      // New products are written with their listing summary; existing
      // products touched by new or changed listings are re-aggregated, and an
      // unchanged feed writes nothing.
      const created = new Set(newProducts.map((product) => product.id));
      await insertProducts(tx, newProducts, newListings.filter((listing) => created.has(listing.productId)));
      await insertListings(tx, newListings);
      await updateListings(tx, changedListings);
      await refreshListingAggregates(tx, [...touched].filter((productId) => !created.has(productId)));
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
  return summarize(results);
}

/**
 * The candidates of one batch, indexed by GTIN and by blocking key, so each
 * listing is compared with the few products it could match rather than with
 * the whole batch's candidates. Products created earlier in the batch join it.
 */
class CandidateIndex {
  private readonly byGtin = new Map<string, MatchCandidate[]>();
  private readonly byKey = new Map<string, MatchCandidate[]>();

  constructor(products: readonly { id: string; gtin: string | null; matchKey: string | null; name: string }[]) {
    for (const product of products) {
      this.add({ productId: product.id, gtin: product.gtin ? gtinKey(product.gtin) : null, blockingKey: product.matchKey ?? '', name: product.name });
    }
  }

  add(candidate: MatchCandidate): void {
    const push = (index: Map<string, MatchCandidate[]>, key: string) => {
      const list = index.get(key);
      if (list) list.push(candidate);
      else index.set(key, [candidate]);
    };
    if (candidate.gtin) push(this.byGtin, candidate.gtin);
    push(this.byKey, candidate.blockingKey);
  }

  hasGtin(gtin: string): boolean {
    return this.byGtin.has(gtin);
  }

  /** Every candidate decideMatch could pick for a listing with this GTIN and blocking key. */
  for(gtin: string | null, key: string): MatchCandidate[] {
    const sameKey = this.byKey.get(key) ?? [];
    const sameGtin = gtin === null ? [] : (this.byGtin.get(gtin) ?? []).filter((candidate) => candidate.blockingKey !== key);
    return sameGtin.length === 0 ? sameKey : [...sameKey, ...sameGtin];
  }
}

// Counts the outcomes; the listing and product of each result are loaded only
// when a client selects them (ListingResult resolvers, batched).
function summarize(results: ListingResult[]): UpsertListingsResult {
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
