import type { Logger } from '../../../common/logging';
import type { SubgraphClient } from '../../../common/subgraphClient';
import type { CertificationStatesQuery, CertifiedProductChangesQuery } from '../generated/certificationOperations';

import { Prisma } from '../generated/prisma/client';
import type { ProductsDb } from '../store';

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

/** The same over any source of the changes (a test supplies its own). */
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

/**
 * Takes the copy at process start, in the background, so that the first
 * certifiedOnly request does not wait for the whole set (about 160,000
 * products at a million). The certification subgraph may start later than
 * this one: a failed attempt is tried again after 0.2 s, doubling up to 10 s,
 * for about two minutes; a request meanwhile brings the copy up to date itself.
 */
export function takeCopyAtStart(certified: CertifiedProducts, db: ProductsDb, log: Logger, giveUpAfterMs = 120_000): { stop(): Promise<void> } {
  const begun = Date.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const attempt = (delayMs: number) => {
    const started = Date.now();
    current = certified.bringUpToDate(db).then(
      () => log.info({ msg: 'certified copy up to date', ms: Date.now() - started }),
      (err: unknown) => {
        if (stopped) return;
        if (Date.now() - begun + delayMs > giveUpAfterMs) {
          log.warn({ msg: 'certified copy not taken at start; the first certifiedOnly request takes it', err: String((err as Error)?.message ?? err) });
          return;
        }
        timer = setTimeout(() => attempt(Math.min(delayMs * 2, 10_000)), delayMs);
        timer.unref();
      },
    );
  };
  attempt(200);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

async function applyChanges(db: ProductsDb, answer: CertifiedProductChanges, replace: boolean): Promise<void> {
  const valid = answer.changes.filter((change) => change.validUntil !== null);
  const ended = answer.changes.filter((change) => change.validUntil === null).map((change) => change.productId);
  await db.$transaction(
    async (tx) => {
      // Requests of every replica may bring the copy up to date at once: the
      // row lock orders them, and a copy already at this version or later is left alone.
      const [sync] = await tx.$queryRaw<{ version: bigint }[]>`SELECT version FROM certified_product_sync WHERE id = 1 FOR UPDATE`;
      if (!replace && Number(sync!.version) >= answer.version) return;
      if (replace) await tx.$executeRaw`DELETE FROM certified_product`;
      else if (ended.length > 0) await tx.$executeRaw`DELETE FROM certified_product WHERE product_id = ANY(${ended}::text[])`;
      if (valid.length > 0) {
        const ids = valid.map((change) => change.productId);
        // Each row carries its product's category and county (for totalCount).
        // A product write that changes them, or deletes the product, takes
        // this lock shared (the trigger on product): taken here before the
        // products are read, it orders the two, so neither is lost.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('certified_product'))`;
        await tx.$executeRaw`
          INSERT INTO certified_product (product_id, valid_until, category, region_code)
          SELECT u.id, u.valid_until, p.category, p.origin_region_code
          FROM unnest(${ids}::text[], ${valid.map((change) => change.validUntil)}::timestamptz[]) AS u(id, valid_until)
          LEFT JOIN product p ON p.id = u.id
          ON CONFLICT (product_id) DO UPDATE SET valid_until = EXCLUDED.valid_until, category = EXCLUDED.category, region_code = EXCLUDED.region_code`;
      }
      await tx.$executeRaw`UPDATE certified_product_sync SET version = ${answer.version} WHERE id = 1`;
    },
    // The whole set (160,000 rows at a million products) takes seconds, more than Prisma's default 5 s on a busy machine.
    { maxWait: 10_000, timeout: replace ? 300_000 : 30_000 },
  );
}

/**
 * The number of products with a certificate valid at `now`, of a category
 * and a region prefix when given: an index-only scan over the copy's rows.
 */
export function certifiedCountStatement(now: Date, category: string | null | undefined, regionPrefix: string | null | undefined): Prisma.Sql {
  const conditions = [Prisma.sql`c.valid_until > ${now}::timestamptz`, Prisma.sql`c.category IS NOT NULL`];
  if (category) conditions.push(Prisma.sql`c.category = CAST(${category} AS "ProductCategory")`);
  if (regionPrefix) conditions.push(Prisma.sql`c.region_code LIKE ${`${regionPrefix}%`}`);
  return Prisma.sql`SELECT count(*)::int AS count FROM certified_product c WHERE ${Prisma.join(conditions, ' AND ')}`;
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
  const chunks: string[][] = [];
  for (let start = 0; start < productIds.length; start += 1000) chunks.push(productIds.slice(start, start + 1000));
  // The chunks are asked at once: an import's component reaches a few
  // thousand products, and the import waits for every answer under its lock.
  await Promise.all(
    chunks.map(async (ids) => {
      try {
        const { certificationStates: answer } = await client.request<CertificationStatesQuery>(CERTIFICATION_STATES, {
          productIds: ids,
        });
        for (const state of answer) states.set(state.productId, { open: state.open });
      } catch {
        for (const id of ids) states.set(id, { open: true });
      }
    }),
  );
  return states;
}
