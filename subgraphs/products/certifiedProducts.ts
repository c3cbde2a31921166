import type { SubgraphClient } from '../../common/subgraphClient';
import type { CertificationStatesQuery, CertifiedProductChangesQuery } from './generated/certificationOperations';

import { Prisma } from './generated/prisma/client';
import type { ProductsDb } from './store';

/** Keeps this subgraph's copy of the certified set in step with the certification subgraph. */
export interface CertifiedProducts {
  /**
   * Brings the copy up to the certification subgraph's latest version, and
   * tells when the set next changes by itself (a certificate lapsing).
   */
  bringUpToDate(db: ProductsDb): Promise<{ changesAt: Date | null }>;
}

const CERTIFIED_PRODUCT_CHANGES = /* GraphQL */ `
  query CertifiedProductChanges($since: Int!) {
    certifiedProductChanges(since: $since) {
      version
      changes {
        productId
        validUntil
      }
      changesAt
    }
  }
`;

/** The certification subgraph's answer to certifiedProductChanges. */
export type CertifiedProductChanges = CertifiedProductChangesQuery['certifiedProductChanges'];

/**
 * The catalog's certifiedOnly filter needs a fact the certification subgraph
 * owns. Before every such query this subgraph asks it what changed since the
 * version its copy (certified_product) holds: one request, usually answered
 * with no changes, and applies them. The copy is then exact at the moment of
 * the query (an approval, revocation or expiry shows on the very next
 * request) and the filter is a join in SQL, however many products are
 * certified: the set itself never travels with a query.
 */
export function certifiedProductsFrom(client: SubgraphClient, wholeSetClient: SubgraphClient = client): CertifiedProducts {
  return certifiedProductsOver(
    async (since) =>
      // The whole set (a first start, about 160,000 products at a million) may take longer than a page's timeout.
      (await (since < 0 ? wholeSetClient : client).request<CertifiedProductChangesQuery>(CERTIFIED_PRODUCT_CHANGES, { since })).certifiedProductChanges,
  );
}

// One copy of the whole set at a time per process: the requests that arrive
// while it is under way wait for it rather than each asking for the whole set.
let wholeSetInFlight: Promise<void> | null = null;

/** The same over any source of the changes (the benchmark's monolith reads the certification database itself). */
export function certifiedProductsOver(changesSince: (since: number) => Promise<CertifiedProductChanges>): CertifiedProducts {
  return {
    bringUpToDate: async (db) => {
      const [sync] = await db.$queryRaw<{ version: bigint }[]>`SELECT version FROM certified_product_sync WHERE id = 1`;
      const held = Number(sync!.version);
      if (held < 0) {
        wholeSetInFlight ??= (async () => {
          try {
            await applyChanges(db, await changesSince(-1), true);
          } finally {
            wholeSetInFlight = null;
          }
        })();
        await wholeSetInFlight;
        return certifiedProductsOver(changesSince).bringUpToDate(db);
      }
      let answer = await changesSince(held);
      // A certification store older than the copy (restored, or replaced): copy it whole again.
      const replace = answer.version < held;
      if (replace) answer = await changesSince(-1);
      if (!replace && answer.version === held) return { changesAt: answer.changesAt ? new Date(answer.changesAt) : null };
      await applyChanges(db, answer, replace);
      return { changesAt: answer.changesAt ? new Date(answer.changesAt) : null };
    },
  };
}

async function applyChanges(db: ProductsDb, answer: CertifiedProductChanges, replace: boolean): Promise<void> {
  const valid = answer.changes.filter((change) => change.validUntil !== null);
  const ended = answer.changes.filter((change) => change.validUntil === null).map((change) => change.productId);
  await db.$transaction(async (tx) => {
    // Requests of every replica may bring the copy up to date at once: the
    // row lock orders them, and a copy already at this version or later is left alone.
    const [sync] = await tx.$queryRaw<{ version: bigint }[]>`SELECT version FROM certified_product_sync WHERE id = 1 FOR UPDATE`;
    if (!replace && Number(sync!.version) >= answer.version) return;
    if (replace) await tx.$executeRaw`DELETE FROM certified_product`;
    else if (ended.length > 0) await tx.$executeRaw`DELETE FROM certified_product WHERE product_id = ANY(${ended}::text[])`;
    if (valid.length > 0) {
      await tx.$executeRaw`
        INSERT INTO certified_product (product_id, valid_until)
        SELECT * FROM unnest(${valid.map((change) => change.productId)}::text[], ${valid.map((change) => change.validUntil)}::timestamptz[])
        ON CONFLICT (product_id) DO UPDATE SET valid_until = EXCLUDED.valid_until`;
    }
    await tx.$executeRaw`UPDATE certified_product_sync SET version = ${answer.version} WHERE id = 1`;
  });
}

/** The certifiedOnly condition over the product row `p`: a certificate in the copy valid at `now`. */
export function certifiedCondition(now: Date): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM certified_product c WHERE c.product_id = p.id AND c.valid_until > ${now}::timestamptz)`;
}

const CERTIFICATION_STATES = /* GraphQL */ `
  query CertificationStates($productIds: [ID!]!) {
    certificationStates(productIds: $productIds) {
      productId
      open
    }
  }
`;

/**
 * The products among `productIds` that have a certification, open or in
 * their history, and whether it is open. When the certification subgraph
 * cannot answer, every product counts as certified: the matching engine then
 * only adds listings and records suggestions, which is always safe.
 */
export async function certificationStates(client: SubgraphClient, productIds: readonly string[]): Promise<Map<string, { open: boolean }>> {
  const states = new Map<string, { open: boolean }>();
  for (let start = 0; start < productIds.length; start += 1000) {
    const ids = productIds.slice(start, start + 1000);
    try {
      const { certificationStates: answer } = await client.request<CertificationStatesQuery>(CERTIFICATION_STATES, {
        productIds: ids,
      });
      for (const state of answer) states.set(state.productId, { open: state.open });
    } catch {
      for (const id of ids) states.set(id, { open: true });
    }
  }
  return states;
}
