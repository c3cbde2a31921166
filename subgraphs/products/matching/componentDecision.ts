// The products store's side of the matching engine: reads the component an
// import touches (the same selection as MemoryCatalog), asks which of its
// products are frozen, runs the engine's plan and writes it back, all inside
// the import's transaction and advisory lock.
import { randomUUID } from 'node:crypto';
import type { SubgraphClient } from '../../../common/subgraphClient';
import { gtinKey, type ValidListing } from '../../../feed';
import { bumpProductVersions, deleteEmptyProducts, moveListings, type NewListingRow, type NewProductRow } from '../catalog/catalogWrites';
import { certificationStates } from '../catalog/certifiedProducts';
import { Prisma } from '../generated/prisma/client';
import { eachKeyThroughIndex } from '../store';
import { blockingKey, canonicalGtin, productNameFromTitle } from './listingMatching';
import type { SupplierFacts } from '../listings/supplierDirectory';
import { namingListing, NEW_PRODUCT_PREFIX, planImport, productPairKey, type ClusterInput } from './catalogClustering';
import { componentKeys } from './memoryCatalog';

type Tx = Prisma.TransactionClient;

export function listingKeyOf(platform: string, sku: string): string {
  return `${platform}:${sku}`;
}

/** Every spelling of a GTIN that names the same item (GTIN-8/12/13 are GTIN-14 with leading zeros). */
export function gtinSpellings(gtin: string): string[] {
  const key = gtinKey(gtin);
  return [...new Set([8, 12, 13, 14].filter((length) => /^0*$/.test(key.slice(0, 14 - length))).map((length) => key.slice(14 - length)))];
}

export interface DecidingRow {
  row: ValidListing;
  supplier: SupplierFacts;
  /** The stored listing when the row updates one. */
  known: { id: string; productId: string } | null;
}

interface ComponentRow {
  id: string;
  platformCode: string;
  externalId: string;
  productId: string;
  title: string;
  unit: string | null;
  gtin: string | null;
  supplierId: string;
  originRegionCode: string;
  pinned: boolean;
  productGtin: string | null;
}

export interface ComponentDecision {
  /** Listing key → the product it belongs to after the import. */
  productOf: Map<string, string>;
  newProducts: Omit<NewProductRow, 'at'>[];
  /** New product id → the key of the listing that created it. */
  createdBy: Map<string, string>;
  /** New products that also receive known listings: their summary is computed after the moves. */
  movedInto: Set<string>;
  /** Existing products whose listings changed. */
  touched: Set<string>;
  emptied: string[];
  explanation(key: string): string;
  write(tx: Tx, newListings: readonly NewListingRow[]): Promise<void>;
}

export async function decideComponent(
  tx: Tx,
  deps: { certification: SubgraphClient; linkThreshold?: number },
  platformCode: string,
  deciding: readonly DecidingRow[],
): Promise<ComponentDecision> {
  const fresh: ClusterInput[] = deciding.map(({ row, supplier, known }) => ({
    key: listingKeyOf(platformCode, row.platformSku),
    platform: platformCode,
    supplierKey: supplier.id,
    title: row.title,
    unit: row.unit,
    gtin: row.gtin,
    productId: known?.productId ?? null,
  }));
  const { blocks, gtins } = componentKeys(fresh);
  const spellings = [...gtins].flatMap(gtinSpellings);
  // The whole of every product the touched blocks and GTINs reach, in one
  // statement; a listing stored before its block was recorded takes its product's.
  // Every key and every reached product is looked up through its index
  // (eachKeyThroughIndex says why; the last LATERAL … OFFSET 0 does the same
  // for the reached products): scanned whole instead, an import was quadratic.
  const rows = await tx.$queryRaw<ComponentRow[]>`
    WITH reached AS (
      ${eachKeyThroughIndex([...blocks], (key) => Prisma.sql`SELECT product_id FROM listing WHERE match_key = ${key}`)}
      UNION
      ${eachKeyThroughIndex([...gtins], (key) => Prisma.sql`SELECT product_id FROM listing WHERE gtin_key = ${key}`)}
      UNION
      ${eachKeyThroughIndex(spellings, (key) => Prisma.sql`SELECT id AS product_id FROM product WHERE gtin = ${key}`)}
    )
    SELECT c.* FROM reached r CROSS JOIN LATERAL (
      SELECT l.id, l.platform_code AS "platformCode", l.external_id AS "externalId", l.product_id AS "productId",
             l.title, l.unit, l.gtin, COALESCE(l.supplier_id, p.supplier_id) AS "supplierId",
             p.origin_region_code AS "originRegionCode", p.pinned, p.gtin AS "productGtin"
      FROM product p JOIN listing l ON l.product_id = p.id
      WHERE p.id = r.product_id
      OFFSET 0
    ) c
    ORDER BY c.id`;
  const freshKeys = new Set(fresh.map((input) => input.key));
  const stored = new Map(rows.map((row) => [listingKeyOf(row.platformCode, row.externalId), row]));
  // A product's own GTIN speaks for it through one listing (the first by key)
  // when none of its listings carries a GTIN and no listing of the component
  // does either: enough for a new listing with that GTIN to find the
  // product, without gluing all its listings together, and never a second
  // claim to a GTIN that listings of another product carry.
  const carried = new Set([...rows, ...fresh].map((listing) => canonicalGtin(listing.gtin)).filter((gtin) => gtin !== null));
  const gtinAnchor = new Map<string, string>();
  const productsWithListingGtin = new Set(rows.filter((row) => row.gtin !== null).map((row) => row.productId));
  for (const [key, row] of [...stored].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (row.productGtin === null || productsWithListingGtin.has(row.productId) || gtinAnchor.has(row.productId)) continue;
    if (!carried.has(gtinKey(row.productGtin))) gtinAnchor.set(row.productId, key);
  }
  const component: ClusterInput[] = [
    ...rows
      .filter((row) => !freshKeys.has(listingKeyOf(row.platformCode, row.externalId)))
      .map((row) => ({
        key: listingKeyOf(row.platformCode, row.externalId),
        platform: row.platformCode,
        supplierKey: row.supplierId,
        title: row.title,
        unit: row.unit,
        gtin: row.gtin ?? (gtinAnchor.get(row.productId) === listingKeyOf(row.platformCode, row.externalId) ? row.productGtin : null),
        productId: row.productId,
      })),
    ...fresh,
  ];
  const products = [...new Set(rows.map((row) => row.productId))];
  const existingProducts = new Set(products);
  // The certification subgraph and the kept-apart pairs are asked at once.
  const [certified, apartRows] = await Promise.all([
    products.length > 0 ? certificationStates(deps.certification, products) : new Map<string, unknown>(),
    tx.$queryRaw<{ productA: string; productB: string }[]>`
      SELECT product_a AS "productA", product_b AS "productB" FROM kept_apart
      WHERE product_a = ANY(${products}::text[]) OR product_b = ANY(${products}::text[])`,
  ]);
  const frozen = new Set(rows.filter((row) => row.pinned).map((row) => row.productId));
  for (const productId of certified.keys()) frozen.add(productId);
  const keptApart = new Set(apartRows.map(({ productA, productB }) => productPairKey(productA, productB)));
  const plan = planImport(component, { linkThreshold: deps.linkThreshold, frozenProducts: frozen, keptApart });

  const byKey = new Map(component.map((input) => [input.key, input]));
  // A product's GTIN follows the listings that carry it: when the plan moves
  // every one of them to another product, the product lets it go, so that
  // the one now holding them can take it (a new one at once, an existing
  // one below). A GTIN kept by a product whose listings no longer carry it
  // would be lent to one of them next time and glue them to the others.
  // A listing's own GTIN: what the import sends for it, or what is stored;
  // not the one a product lends a stored listing above.
  const ownGtin = (key: string) => canonicalGtin(freshKeys.has(key) ? byKey.get(key)!.gtin : stored.get(key)!.gtin);
  const carriers = new Map<string, Set<string>>();
  for (const [key, target] of plan.productOf) {
    const gtin = ownGtin(key);
    if (gtin === null) continue;
    if (!carriers.has(gtin)) carriers.set(gtin, new Set());
    carriers.get(gtin)!.add(target);
  }
  const released = [...new Map(rows.filter((row) => row.productGtin !== null).map((row) => [row.productId, gtinKey(row.productGtin!)] as const))].filter(
    ([productId, gtin]) => {
      const holders = carriers.get(gtin);
      return holders !== undefined && !holders.has(productId);
    },
  );
  if (released.length > 0) {
    await tx.$executeRaw`UPDATE product SET gtin = NULL WHERE id = ANY(${released.map(([productId]) => productId)}::text[])`;
  }
  const releasedProducts = new Set(released.map(([productId]) => productId));
  const freshByKey = new Map(deciding.map((entry) => [listingKeyOf(platformCode, entry.row.platformSku), entry]));
  const ids = new Map<string, string>();
  const newProducts: Omit<NewProductRow, 'at'>[] = [];
  const createdBy = new Map<string, string>();
  const takenGtins = new Set(
    rows
      .filter((row) => !releasedProducts.has(row.productId))
      .map((row) => row.productGtin)
      .filter((gtin): gtin is string => gtin !== null)
      .map(gtinKey),
  );
  for (const [label, keys] of plan.newProducts) {
    const members = keys.map((key) => byKey.get(key)!);
    const naming = namingListing(members);
    const id = `prd_${randomUUID()}`;
    ids.set(label, id);
    const creator = freshByKey.get(naming.key) ?? freshByKey.get(keys.find((key) => freshByKey.has(key)) ?? '');
    const clusterGtins = [...new Set(members.map((member) => canonicalGtin(member.gtin)).filter((gtin): gtin is string => gtin !== null))];
    const gtin =
      clusterGtins.length === 1 && !takenGtins.has(clusterGtins[0]!) ? members.find((member) => canonicalGtin(member.gtin) === clusterGtins[0])!.gtin : null;
    if (gtin) takenGtins.add(gtinKey(gtin));
    newProducts.push({
      id,
      name: productNameFromTitle(naming.title),
      description: creator?.row.description ?? null,
      gtin,
      category: creator?.row.category ?? 'OTHER',
      unit: naming.unit,
      originRegionCode: freshByKey.get(naming.key)?.supplier.regionCode ?? stored.get(naming.key)?.originRegionCode ?? creator!.supplier.regionCode,
      supplierId: naming.supplierKey,
      matchKey: blockingKey(naming),
    });
    if (creator) createdBy.set(id, listingKeyOf(platformCode, creator.row.platformSku));
  }
  const productOf = new Map<string, string>();
  for (const [key, target] of plan.productOf) productOf.set(key, target.startsWith(NEW_PRODUCT_PREFIX) ? ids.get(target)! : target);

  const moves: { listingId: string; productId: string }[] = [];
  const movedInto = new Set<string>();
  const touched = new Set<string>();
  for (const input of component) {
    const target = productOf.get(input.key)!;
    const listingId = stored.get(input.key)?.id;
    if (input.productId === null || listingId === undefined || input.productId === target) continue;
    moves.push({ listingId, productId: target });
    touched.add(input.productId);
    touched.add(target);
    if (!existingProducts.has(target)) movedInto.add(target);
  }
  for (const input of fresh) if (input.productId === null && existingProducts.has(productOf.get(input.key)!)) touched.add(productOf.get(input.key)!);
  // A product learns the GTIN its listings carry.
  const learned: { productId: string; gtin: string }[] = [];
  const clusterOfProduct = new Map<string, ClusterInput[]>();
  for (const input of component) {
    const productId = productOf.get(input.key)!;
    if (!clusterOfProduct.has(productId)) clusterOfProduct.set(productId, []);
    clusterOfProduct.get(productId)!.push(input);
  }
  const withGtin = new Set(rows.filter((row) => row.productGtin !== null && !releasedProducts.has(row.productId)).map((row) => row.productId));
  for (const productId of products) {
    const members = clusterOfProduct.get(productId);
    if (!members || withGtin.has(productId)) continue;
    const distinct = [...new Set(members.map((member) => canonicalGtin(member.gtin)).filter((gtin): gtin is string => gtin !== null))];
    if (distinct.length === 1 && !takenGtins.has(distinct[0]!)) {
      learned.push({ productId, gtin: members.find((member) => canonicalGtin(member.gtin) === distinct[0])!.gtin! });
      takenGtins.add(distinct[0]!);
    }
  }

  return {
    productOf,
    newProducts,
    createdBy,
    movedInto,
    touched,
    emptied: plan.emptied,
    explanation: (key) => {
      const decision = plan.decisions.get(key);
      return `${decision?.explanation ?? 'kept'} → ${productOf.get(key)}`;
    },
    write: async (writer, newListings) => {
      await moveListings(writer, moves);
      await deleteEmptyProducts(writer, plan.emptied);
      await writer.$executeRaw`
        UPDATE product p SET gtin = t.gtin
        FROM unnest(${learned.map((l) => l.productId)}::text[], ${learned.map((l) => l.gtin)}::text[]) AS t(id, gtin)
        WHERE p.id = t.id AND p.gtin IS NULL`;
      const emptied = new Set(plan.emptied);
      await bumpProductVersions(
        writer,
        [...touched].filter((productId) => existingProducts.has(productId) && !emptied.has(productId)),
      );
      const listingIds = new Map<string, string>([
        ...rows.map((row) => [listingKeyOf(row.platformCode, row.externalId), row.id] as const),
        ...newListings.map((listing) => [listingKeyOf(listing.platformCode, listing.externalId), listing.id] as const),
      ]);
      const componentIds = [...listingIds.values()];
      await writer.$executeRaw`
        DELETE FROM match_suggestion WHERE left_listing_id = ANY(${componentIds}::text[]) OR right_listing_id = ANY(${componentIds}::text[])`;
      const suggestions = plan.suggestions.filter((s) => listingIds.has(s.left) && listingIds.has(s.right));
      await writer.$executeRaw`
        INSERT INTO match_suggestion (id, left_listing_id, right_listing_id, score, evidence)
        SELECT * FROM unnest(
          ${suggestions.map(() => `sug_${randomUUID()}`)}::text[], ${suggestions.map((s) => listingIds.get(s.left)!)}::text[],
          ${suggestions.map((s) => listingIds.get(s.right)!)}::text[], ${suggestions.map((s) => s.score)}::numeric[],
          ${suggestions.map((s) => s.evidence)}::text[]
        )
        ON CONFLICT (left_listing_id, right_listing_id) DO UPDATE SET score = EXCLUDED.score, evidence = EXCLUDED.evidence`;
    },
  };
}
