// The review queue: pairs the engine found alike but did not link, best first.
// Pairs already settled (both listings on one product, or products kept
// apart) are left out even before the next decision deletes them.
import { afterCursorSql, connectionFromRows, scoreCursorKey, type Connection, type PageRequest } from '../../../common/connection';
import { Prisma, type MatchSuggestion } from '../generated/prisma/client';
import type { ProductsDb } from '../store';

export const MATCH_SUGGESTION_ORDER = 'SCORE_DESC';

const OPEN_SUGGESTIONS = Prisma.sql`
  FROM match_suggestion s
  JOIN listing l ON l.id = s.left_listing_id
  JOIN listing r ON r.id = s.right_listing_id
  WHERE l.product_id <> r.product_id
    AND NOT EXISTS (SELECT 1 FROM kept_apart k
      WHERE k.product_a = LEAST(l.product_id, r.product_id) AND k.product_b = GREATEST(l.product_id, r.product_id))`;

const COLUMNS = Prisma.sql`
  SELECT s.id, s.left_listing_id AS "leftListingId", s.right_listing_id AS "rightListingId", s.score, s.evidence, s.created_at AS "createdAt"`;

export type MatchSuggestionPage = Connection<MatchSuggestion>;

export async function findMatchSuggestions(db: ProductsDb, page: PageRequest): Promise<MatchSuggestionPage> {
  // Keyset on (score DESC, id ASC): the cursor's key is the score as a decimal string.
  const keyset = page.after
    ? Prisma.sql`AND ${afterCursorSql(Prisma.sql`s.score`, Prisma.sql`s.id`, 'DESC', Prisma.sql`${scoreCursorKey(page.after)}::numeric`, page.after.id)}`
    : Prisma.empty;
  const rows = await db.$queryRaw<MatchSuggestion[]>`${COLUMNS} ${OPEN_SUGGESTIONS} ${keyset} ORDER BY s.score DESC, s.id LIMIT ${page.first + 1}`;
  return connectionFromRows(
    rows,
    page,
    (row) => ({ order: MATCH_SUGGESTION_ORDER, key: Number(row.score).toFixed(2), id: row.id }),
    async () => Number((await db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count ${OPEN_SUGGESTIONS}`)[0]!.count),
  );
}
