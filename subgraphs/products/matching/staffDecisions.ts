// Staff decisions about which listings are one product: merge two products,
// move a listing, keep products apart. Each is a constraint the matching
// engine keeps: the products it touches are pinned (never split or merged by
// an import again) and pairs kept apart are never merged. Every decision runs
// under the same advisory lock as imports, checks the versions the caller saw
// and writes a history event.
import { randomUUID } from 'node:crypto';
import { badUserInput, conflict, notFound, staffReason } from '../../../common/errors';
import type { Identity } from '../../../common/identity';
import type { SubgraphClient } from '../../../common/subgraphClient';
import { bumpProductVersions, lockListingMatching, moveListings } from '../catalog/catalogWrites';
import { certificationStates } from '../catalog/certifiedProducts';
import type { ProductEventKind } from '../generated/graphql';
import type { Prisma, Product } from '../generated/prisma/client';
import { refreshListingAggregates } from '../listings/listingAggregates';
import { blockingKey, canonicalGtin, productNameFromTitle } from './listingMatching';
import type { ProductsDb } from '../store';

type Tx = Prisma.TransactionClient;

export interface StaffDecisionDeps {
  db: ProductsDb;
  certification: SubgraphClient;
  identity: Identity;
}

const MAX_KEPT_APART = 10;

/** Locks the products and checks each is at the version the caller saw. */
async function lockProducts(tx: Tx, expected: readonly { id: string; version: number | null }[]): Promise<Map<string, Product>> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM product WHERE id = ANY(${expected.map((e) => e.id)}::text[]) ORDER BY id FOR UPDATE`;
  const found = new Set(rows.map((row) => row.id));
  const products = new Map((await tx.product.findMany({ where: { id: { in: [...found] } } })).map((product) => [product.id, product]));
  for (const { id, version } of expected) {
    const product = products.get(id);
    if (!product) throw notFound(`No product ${id}.`);
    if (version !== null && product.version !== version)
      throw conflict(`Product ${id} is at version ${product.version}, not ${version}: reload it and decide again.`);
  }
  return products;
}

async function recordEvents(
  tx: Tx,
  events: readonly { productId: string; kind: ProductEventKind; detail: string }[],
  actor: string,
  reason: string,
): Promise<void> {
  await tx.productEvent.createMany({ data: events.map((event) => ({ id: `pev_${randomUUID()}`, actor, reason, ...event })) });
}

/** Suggestions whose two listings now belong to one product, or to products kept apart, are settled. */
async function settleSuggestions(tx: Tx, productIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM match_suggestion s
    USING listing l, listing r
    WHERE l.id = s.left_listing_id AND r.id = s.right_listing_id
      AND (l.product_id = ANY(${[...productIds]}::text[]) OR r.product_id = ANY(${[...productIds]}::text[]))
      AND (l.product_id = r.product_id OR EXISTS (
        SELECT 1 FROM kept_apart k
        WHERE (k.product_a = l.product_id AND k.product_b = r.product_id) OR (k.product_a = r.product_id AND k.product_b = l.product_id)))`;
}

async function pin(tx: Tx, productIds: readonly string[]): Promise<void> {
  await tx.$executeRaw`UPDATE product SET pinned = true WHERE id = ANY(${[...productIds]}::text[])`;
  await bumpProductVersions(tx, productIds);
}

export async function mergeProducts(
  deps: StaffDecisionDeps,
  args: { survivorId: string; survivorVersion: number; mergedId: string; mergedVersion: number; reason: string },
): Promise<Product> {
  const reason = staffReason(args.reason, 'product');
  if (args.survivorId === args.mergedId) throw badUserInput('mergedId', 'is the survivor itself');
  return deps.db.$transaction(async (tx) => {
    await lockListingMatching(tx);
    const products = await lockProducts(tx, [
      { id: args.survivorId, version: args.survivorVersion },
      { id: args.mergedId, version: args.mergedVersion },
    ]);
    const survivor = products.get(args.survivorId)!;
    const merged = products.get(args.mergedId)!;
    const survivorGtin = canonicalGtin(survivor.gtin);
    const mergedGtin = canonicalGtin(merged.gtin);
    const states = await certificationStates(deps.certification, [survivor.id, merged.id]);
    const survivorOpen = states.get(survivor.id)?.open === true;
    const mergedOpen = states.get(merged.id)?.open === true;
    if (survivorOpen && mergedOpen) throw conflict(`Both ${survivor.id} and ${merged.id} hold an open certification: close one before merging.`);
    if (mergedOpen) throw badUserInput('mergedId', `${merged.id} holds an open certification: merge ${survivor.id} into it instead`);
    if (survivorGtin && mergedGtin && survivorGtin !== mergedGtin) {
      throw badUserInput('mergedId', `the products carry different GTINs (${survivor.gtin}, ${merged.gtin}): different items; move single listings instead`);
    }

    const listings = await tx.listing.findMany({ where: { productId: merged.id }, select: { id: true } });
    await moveListings(
      tx,
      listings.map((listing) => ({ listingId: listing.id, productId: survivor.id })),
    );
    // The merged product's history, staff pairs and id now belong to the survivor.
    await tx.$executeRaw`UPDATE product_event SET product_id = ${survivor.id} WHERE product_id = ${merged.id}`;
    await tx.$executeRaw`
      INSERT INTO kept_apart (product_a, product_b, actor, reason, created_at)
      SELECT LEAST(${survivor.id}, other), GREATEST(${survivor.id}, other), actor, reason, created_at
      FROM (SELECT CASE WHEN product_a = ${merged.id} THEN product_b ELSE product_a END AS other, actor, reason, created_at
            FROM kept_apart WHERE product_a = ${merged.id} OR product_b = ${merged.id}) k
      WHERE other <> ${survivor.id}
      ON CONFLICT DO NOTHING`;
    await tx.$executeRaw`DELETE FROM kept_apart WHERE product_a = ${merged.id} OR product_b = ${merged.id}`;
    await tx.$executeRaw`DELETE FROM product WHERE id = ${merged.id}`;
    if (!survivor.gtin && merged.gtin) await tx.$executeRaw`UPDATE product SET gtin = ${merged.gtin} WHERE id = ${survivor.id}`;
    await tx.$executeRaw`UPDATE product_alias SET product_id = ${survivor.id} WHERE product_id = ${merged.id}`;
    await tx.productAlias.create({ data: { id: merged.id, productId: survivor.id, actor: deps.identity.sub } });
    await pin(tx, [survivor.id]);
    await refreshListingAggregates(tx, [survivor.id]);
    await recordEvents(
      tx,
      [{ productId: survivor.id, kind: 'MERGED_FROM', detail: `${merged.id} (${merged.name}) with ${listings.length} listing(s)` }],
      deps.identity.sub,
      reason,
    );
    await settleSuggestions(tx, [survivor.id]);
    return tx.product.findUniqueOrThrow({ where: { id: survivor.id } });
  });
}

export async function moveListing(
  deps: StaffDecisionDeps,
  args: { listingId: string; expectedVersion: number; toProductId?: string | null; toVersion?: number | null; reason: string },
): Promise<{ listingId: string; fromId: string; toId: string }> {
  const reason = staffReason(args.reason, 'product');
  const toProductId = args.toProductId ?? null;
  if (toProductId !== null && (args.toVersion === null || args.toVersion === undefined)) {
    throw badUserInput('toVersion', 'is required with toProductId: the version of the target product you saw');
  }
  return deps.db.$transaction(async (tx) => {
    await lockListingMatching(tx);
    const listing = await tx.listing.findUnique({ where: { id: args.listingId } });
    if (!listing) throw notFound(`No listing ${args.listingId}.`);
    if (listing.productId === toProductId) throw badUserInput('toProductId', `listing ${listing.id} is already on ${toProductId}`);
    const expected = [{ id: listing.productId, version: args.expectedVersion }];
    if (toProductId !== null) expected.push({ id: toProductId, version: args.toVersion! });
    const products = await lockProducts(tx, expected);
    const from = products.get(listing.productId)!;
    if ((await tx.listing.count({ where: { productId: from.id } })) < 2) {
      throw badUserInput('listingId', `${listing.id} is the only listing of ${from.id}: merge the products instead`);
    }
    let toId: string;
    if (toProductId !== null) {
      const target = products.get(toProductId)!;
      const listingGtin = canonicalGtin(listing.gtin);
      const targetGtin = canonicalGtin(target.gtin);
      if (listingGtin && targetGtin && listingGtin !== targetGtin) {
        throw badUserInput('toProductId', `the listing's GTIN ${listing.gtin} is not the product's ${target.gtin}`);
      }
      toId = target.id;
    } else {
      toId = `prd_${randomUUID()}`;
      const supplierId = listing.supplierId ?? from.supplierId;
      const gtinFree = listing.gtin !== null && canonicalGtin(listing.gtin) !== canonicalGtin(from.gtin);
      await tx.product.create({
        data: {
          id: toId,
          name: productNameFromTitle(listing.title),
          category: from.category,
          unit: listing.unit ?? from.unit,
          originRegionCode: from.originRegionCode,
          supplierId,
          gtin: gtinFree ? listing.gtin : null,
          matchKey: blockingKey({ supplierKey: supplierId, title: listing.title, unit: listing.unit }),
        },
      });
    }
    await moveListings(tx, [{ listingId: listing.id, productId: toId }]);
    await pin(tx, [from.id, toId]);
    await refreshListingAggregates(tx, [from.id, toId]);
    await recordEvents(
      tx,
      [
        { productId: from.id, kind: 'LISTING_MOVED_OUT', detail: `${listing.platformCode}:${listing.externalId} (${listing.title}) to ${toId}` },
        { productId: toId, kind: 'LISTING_MOVED_IN', detail: `${listing.platformCode}:${listing.externalId} (${listing.title}) from ${from.id}` },
      ],
      deps.identity.sub,
      reason,
    );
    await tx.$executeRaw`DELETE FROM match_suggestion WHERE left_listing_id = ${listing.id} OR right_listing_id = ${listing.id}`;
    await settleSuggestions(tx, [from.id, toId]);
    return { listingId: listing.id, fromId: from.id, toId };
  });
}

export async function keepProductsApart(deps: StaffDecisionDeps, args: { productIds: readonly string[]; reason: string }): Promise<Product[]> {
  const reason = staffReason(args.reason, 'product');
  const ids = [...new Set(args.productIds)];
  if (ids.length < 2 || ids.length > MAX_KEPT_APART) throw badUserInput('productIds', `name 2 to ${MAX_KEPT_APART} different products, got ${ids.length}`);
  return deps.db.$transaction(async (tx) => {
    await lockListingMatching(tx);
    await lockProducts(
      tx,
      ids.map((id) => ({ id, version: null })),
    );
    const pairs: [string, string][] = ids.flatMap((a, i) => ids.slice(i + 1).map((b): [string, string] => (a < b ? [a, b] : [b, a])));
    await tx.$executeRaw`
      INSERT INTO kept_apart (product_a, product_b, actor, reason)
      SELECT a, b, ${deps.identity.sub}, ${reason} FROM unnest(${pairs.map((p) => p[0])}::text[], ${pairs.map((p) => p[1])}::text[]) AS t(a, b)
      ON CONFLICT DO NOTHING`;
    await pin(tx, ids);
    await recordEvents(
      tx,
      ids.map((id) => ({ productId: id, kind: 'KEPT_APART' as const, detail: `kept apart from ${ids.filter((other) => other !== id).join(', ')}` })),
      deps.identity.sub,
      reason,
    );
    await settleSuggestions(tx, ids);
    const products = await tx.product.findMany({ where: { id: { in: ids } } });
    return ids.map((id) => products.find((product) => product.id === id)!);
  });
}

/**
 * The suppliers subgraph merged one supplier into another: products and
 * listings take the surviving supplier (and so its blocks). Idempotent, so the
 * suppliers subgraph can call it again after a failure on its side.
 */
export async function supplierMerged(
  deps: Pick<StaffDecisionDeps, 'db'>,
  args: { fromSupplierId: string; toSupplierId: string; actor: string; reason: string },
): Promise<number> {
  const reason = staffReason(args.reason, 'product');
  if (args.fromSupplierId === args.toSupplierId) throw badUserInput('toSupplierId', 'is the merged supplier itself');
  // Blocks are "<supplier id>|<pack size>".
  const prefix = `${args.fromSupplierId}|`;
  return deps.db.$transaction(async (tx) => {
    await lockListingMatching(tx);
    const moved = await tx.$queryRaw<{ id: string }[]>`
      UPDATE product SET supplier_id = ${args.toSupplierId},
        match_key = CASE WHEN left(match_key, ${prefix.length}::int) = ${prefix} THEN ${args.toSupplierId} || substr(match_key, ${prefix.length}::int) ELSE match_key END,
        version = version + 1
      WHERE supplier_id = ${args.fromSupplierId}
      RETURNING id`;
    await tx.$executeRaw`
      UPDATE listing SET supplier_id = ${args.toSupplierId},
        match_key = CASE WHEN left(match_key, ${prefix.length}::int) = ${prefix} THEN ${args.toSupplierId} || substr(match_key, ${prefix.length}::int) ELSE match_key END
      WHERE supplier_id = ${args.fromSupplierId}`;
    await tx.$executeRaw`UPDATE merged_supplier SET into_id = ${args.toSupplierId} WHERE into_id = ${args.fromSupplierId}`;
    await tx.$executeRaw`
      INSERT INTO merged_supplier (id, into_id) VALUES (${args.fromSupplierId}, ${args.toSupplierId})
      ON CONFLICT (id) DO UPDATE SET into_id = EXCLUDED.into_id`;
    await recordEvents(
      tx,
      moved.map(({ id }) => ({ productId: id, kind: 'SUPPLIER_MERGED' as const, detail: `supplier ${args.fromSupplierId} merged into ${args.toSupplierId}` })),
      args.actor,
      reason,
    );
    return moved.length;
  });
}
