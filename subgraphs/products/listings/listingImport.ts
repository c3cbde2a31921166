import { randomUUID } from 'node:crypto';
import { badUserInput, forbidden, notFound } from '../../../common/errors';
import type { Identity } from '../../../common/identity';
import type { SubgraphClient } from '../../../common/subgraphClient';
import { gtinKey, validateListing, type ValidListing } from '../../../feed';
import { insertListings, insertProducts, lockListingMatching, updateListings, type ChangedListingRow, type NewListingRow } from '../catalog/catalogWrites';
import { Prisma, type Listing } from '../generated/prisma/client';

/** What matching needs of a listing the platform already has. */
type KnownListing = Pick<Listing, 'id' | 'externalId' | 'productId' | 'title' | 'price' | 'currency' | 'stock' | 'monthlySales' | 'url' | 'gtin' | 'unit'>;
import type { ListingInput } from '../generated/graphql';
import { refreshListingAggregates } from './listingAggregates';
import { blockingKey } from '../matching/listingMatching';
import { decideComponent, listingKeyOf } from '../matching/componentDecision';
import type { ListingResult, UpsertListingsResult } from '../schema.mappers';
import { eachKeyThroughIndex, type ProductsDb } from '../store';
import { SupplierDirectory, type SupplierFacts } from './supplierDirectory';

export const MAX_LISTINGS_PER_CALL = 1000;

export interface ListingImportDeps {
  db: ProductsDb;
  suppliers: SubgraphClient;
  supplierDirectory: SupplierDirectory;
  identity: Identity;
  certification: SubgraphClient;
  matchThreshold: number;
}

function sameListing(listing: KnownListing, row: ValidListing): boolean {
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

function listingFields(row: ValidListing) {
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
 * upsertListings: validates each listing as the importer validates a feed
 * row (the feed module's validateListing, problems named by feed field), resolves suppliers
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
  const valid = new Map<number, ValidListing>();
  const seenSkus = new Set<string>();
  inputs.forEach((input, index) => {
    const checked = validateListing(input);
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
  const ready = new Map<number, { row: ValidListing; supplier: SupplierFacts }>();
  for (const [index, row] of valid) {
    const supplier = suppliers.get(SupplierDirectory.keyOf(row));
    if (!supplier || !('id' in supplier)) {
      results[index].problems = [{ field: supplier?.problemField ?? 'supplier_name', reason: supplier?.problem ?? 'cannot be resolved' }];
    } else {
      ready.set(index, { row, supplier });
    }
  }
  if (ready.size === 0) return summarize(results);

  await deps.db.$transaction(
    async (tx) => {
      await lockListingMatching(tx);
      // A batch's statements look up a thousand keys through indexes and run
      // in milliseconds, but the planner's estimates for so many keys pass
      // jit_above_cost, and compiling them took longer than running them
      // (300 to 400 ms a statement, under the lock, from about 20,000 listings
      // on). What a batch reads and writes was just read or written by the
      // batches before it, so it is in memory: at the default random_page_cost
      // the planner updated a thousand products by scanning the whole table.
      await tx.$executeRaw`SELECT set_config('jit', 'off', true), set_config('random_page_cost', '1.1', true)`;
      // A supplier staff merged meanwhile is written as the one it was merged into.
      const survivors = new Map(
        (
          await tx.$queryRaw<{ id: string; intoId: string }[]>`
            SELECT id, into_id AS "intoId" FROM merged_supplier WHERE id = ANY(${[...new Set([...ready.values()].map(({ supplier }) => supplier.id))]}::text[])`
        ).map((row) => [row.id, row.intoId]),
      );
      for (const entry of ready.values()) {
        const survivor = survivors.get(entry.supplier.id);
        if (survivor) entry.supplier = { ...entry.supplier, id: survivor };
      }
      // Plain SQL with array parameters: a thousand keys are one bound value
      // each, not a thousand placeholders to compile and bind. Each SKU is
      // looked up through the (platform, SKU) index: with `= ANY` the planner
      // read every listing of the platform (statistics from when it had few)
      // and filtered them, in every batch.
      const skus = [...ready.values()].map(({ row }) => row.platformSku);
      const existing = new Map(
        (
          await tx.$queryRaw<KnownListing[]>`${eachKeyThroughIndex(
            skus,
            (sku) => Prisma.sql`
              SELECT id, external_id AS "externalId", product_id AS "productId", title, price, currency, stock,
                     monthly_sales AS "monthlySales", url, gtin, unit
              FROM listing WHERE platform_code = ${platformCode} AND external_id = ${sku}`,
          )}`
        ).map((listing) => [listing.externalId, listing]),
      );
      const now = new Date();
      const changedListings: ChangedListingRow[] = [];
      const touched = new Set<string>();
      // What the engine decides over: new listings, and known ones whose title, unit or GTIN changed.
      const deciding: { index: number; row: ValidListing; supplier: SupplierFacts; known: KnownListing | null }[] = [];
      for (const [index, { row, supplier }] of ready) {
        const result = results[index];
        const known = existing.get(row.platformSku);
        if (!known) {
          deciding.push({ index, row, supplier, known: null });
          continue;
        }
        result.listingId = known.id;
        result.productId = known.productId;
        result.match = explain ? `already listed: stays linked to ${known.productId}` : null;
        if (sameListing(known, row)) {
          result.status = 'UNCHANGED';
          continue;
        }
        result.status = 'UPDATED';
        changedListings.push({ id: known.id, ...listingFields(row), ...matchingFields(row, supplier), at: now });
        touched.add(known.productId);
        if (known.title !== row.title || known.unit !== row.unit || known.gtin !== row.gtin) deciding.push({ index, row, supplier, known });
      }
      await updateListings(tx, changedListings);
      if (deciding.length === 0) {
        await refreshListingAggregates(tx, [...touched]);
        return;
      }

      const decision = await decideComponent(tx, { certification: deps.certification, linkThreshold: deps.matchThreshold }, platformCode, deciding);
      const newListings: NewListingRow[] = [];
      for (const { index, row, supplier, known } of deciding) {
        const key = listingKeyOf(platformCode, row.platformSku);
        const productId = decision.productOf.get(key)!;
        const result = results[index];
        result.productId = productId;
        if (explain) result.match = decision.explanation(key);
        touched.add(productId);
        if (known) continue;
        const listing: NewListingRow = {
          id: `lst_${randomUUID()}`,
          platformCode,
          externalId: row.platformSku,
          productId,
          ...listingFields(row),
          ...matchingFields(row, supplier),
          at: now,
        };
        newListings.push(listing);
        result.status = 'CREATED';
        result.listingId = listing.id;
        result.productCreated = decision.createdBy.get(productId) === key;
      }
      // New products are written with their listing summary when only new
      // listings belong to them; the rest is re-aggregated after the moves.
      const created = new Set(decision.newProducts.map((product) => product.id));
      await insertProducts(
        tx,
        decision.newProducts.map((product) => ({ ...product, at: now })),
        newListings.filter((listing) => created.has(listing.productId) && !decision.movedInto.has(listing.productId)),
      );
      await insertListings(tx, newListings);
      await decision.write(tx, newListings);
      for (const productId of decision.touched) touched.add(productId);
      for (const productId of decision.emptied) touched.delete(productId);
      await refreshListingAggregates(
        tx,
        [...touched].filter((productId) => !created.has(productId) || decision.movedInto.has(productId)),
      );
    },
    { timeout: 60_000, maxWait: 60_000 },
  );
  return summarize(results);
}

function matchingFields(row: ValidListing, supplier: SupplierFacts) {
  return {
    supplierId: supplier.id,
    matchKey: blockingKey({ supplierKey: supplier.id, title: row.title, unit: row.unit }),
    gtinKey: row.gtin ? gtinKey(row.gtin) : null,
  };
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
