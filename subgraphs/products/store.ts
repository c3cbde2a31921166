import { subgraphStore } from '../../common/database';
import { Prisma, PrismaClient } from './generated/prisma/client';

export type ProductsDb = PrismaClient;

export const openProductsStore = subgraphStore(__dirname, (adapter) => new PrismaClient({ adapter }));

/**
 * The rows `lookup` finds for each of `keys` (it names the key by the SQL it
 * is given), each key looked up through its index. A LATERAL subquery with
 * OFFSET 0 is never flattened into a join, so the planner cannot trade the
 * lookups for whole-table scans: with a thousand keys in `= ANY(...)` it
 * misjudged the share of rows they select (nine in ten where one in twenty
 * came back) and scanned and hashed listing and product whole in every
 * import batch, a cost that grew with the catalog.
 */
export function eachKeyThroughIndex(keys: readonly string[], lookup: (key: Prisma.Sql) => Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT found.* FROM unnest(${[...keys]}::text[]) AS k(key) CROSS JOIN LATERAL (${lookup(Prisma.raw('k.key'))} OFFSET 0) found`;
}
