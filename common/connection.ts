import { sqltag as sql, type Sql } from '@prisma/client/runtime/client';
import { badUserInput } from './errors';

export const MAX_PAGE_SIZE = 100;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

/** A cursor is the position of an item in one ordering: the ordering's name and the item's sort key. */
export interface CursorPosition {
  order: string;
  key: string | number | null;
  id: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.order, position.key, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, order: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('after', 'is not a cursor returned by this connection');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    !(parsed[1] === null || typeof parsed[1] === 'string' || typeof parsed[1] === 'number') ||
    // PostgreSQL text cannot hold NUL: such a key would fail in the store, not here.
    parsed.some((part) => typeof part === 'string' && part.includes('\u0000'))
  ) {
    throw badUserInput('after', 'is not a cursor returned by this connection');
  }
  if (parsed[0] !== order) {
    throw badUserInput('after', `belongs to the ${parsed[0]} ordering, not ${order}`);
  }
  const [cursorOrder, key, id] = parsed as [string, string | number | null, string];
  return { order: cursorOrder, key, id };
}

export interface PageRequest {
  first: number;
  after: CursorPosition | null;
}

/** Validates Relay arguments: first from 1 to 100, after a cursor of the same ordering. */
export function pageRequest(args: { first: number; after?: string | null }, order: string): PageRequest {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be between 1 and ${MAX_PAGE_SIZE}, got ${args.first}`);
  }
  return { first: args.first, after: args.after ? decodeCursor(args.after, order) : null };
}

/**
 * Builds edges and pageInfo from rows fetched with LIMIT first + 1: the extra
 * row only tells whether a next page exists.
 */
export function pageFromRows<Row, Node>(
  rows: Row[],
  request: PageRequest,
  positionOf: (row: Row) => CursorPosition,
  nodeOf: (row: Row) => Node,
): { edges: Edge<Node>[]; pageInfo: PageInfo } {
  const hasNextPage = rows.length > request.first;
  const pageRows = hasNextPage ? rows.slice(0, request.first) : rows;
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(positionOf(row)), node: nodeOf(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/** A page of a connection; the total is counted only when a client asks for it. */
export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/** A connection whose nodes are the rows themselves (fetched with LIMIT first + 1), and how to count them all. */
export function connectionFromRows<Row>(
  rows: Row[],
  request: PageRequest,
  positionOf: (row: Row) => CursorPosition,
  totalCount: () => Promise<number>,
): Connection<Row> {
  return { ...pageFromRows(rows, request, positionOf, (row) => row), totalCount };
}

type AfterCursorWhere<Field extends string, Key> = { OR: [Record<Field, { gt: Key } | { lt: Key }>, Record<Field, Key> & { id: { gt: string } }] };

/**
 * The rows after a cursor in (key direction, id ascending) order, as a Prisma
 * where input: beyond the cursor's key, or at it with a greater id. Empty on
 * the first page. `keyOf` checks the cursor's key (BAD_USER_INPUT otherwise).
 */
export function afterCursorWhere<Field extends string, Key>(
  after: CursorPosition | null,
  field: Field,
  direction: 'asc' | 'desc',
  keyOf: (position: CursorPosition) => Key,
): AfterCursorWhere<Field, Key> | Record<string, never> {
  if (!after) return {};
  const key = keyOf(after);
  const beyond = { [field]: direction === 'asc' ? { gt: key } : { lt: key } } as Record<Field, { gt: Key } | { lt: Key }>;
  const atKey = { [field]: key, id: { gt: after.id } } as Record<Field, Key> & { id: { gt: string } };
  return { OR: [beyond, atKey] };
}

/**
 * The rows after a cursor in (key direction, id ascending) order, as SQL over
 * the key and id columns; `cursorKey` is the cursor's key, typed for SQL. The
 * bound on the key alone (key >= k, or <= k descending) lets the ordering's
 * index start the scan at the cursor; without it the OR is a filter, and a
 * cursor deep in a million rows reads every row before it.
 */
export function afterCursorSql(keyColumn: Sql, idColumn: Sql, direction: 'ASC' | 'DESC', cursorKey: Sql, cursorId: string): Sql {
  const [from, beyond] =
    direction === 'ASC'
      ? [sql`${keyColumn} >= ${cursorKey}`, sql`${keyColumn} > ${cursorKey}`]
      : [sql`${keyColumn} <= ${cursorKey}`, sql`${keyColumn} < ${cursorKey}`];
  return sql`(${from} AND (${beyond} OR ${idColumn} > ${cursorId}))`;
}

/** The key of a cursor over a 0-to-1 score kept with two decimals ("0.18"), as these connections write it. */
export function scoreCursorKey(position: CursorPosition): string {
  if (typeof position.key !== 'string' || !/^[01]\.\d{2}$/.test(position.key)) throw badUserInput('after', 'is not a cursor returned by this connection');
  return position.key;
}

// A cursor's key reaches SQL as a typed parameter: one of the wrong type
// (hand-made, or from another connection with the same ordering name) is the
// client's mistake, refused here rather than by the database.
function notOurCursor(): never {
  throw badUserInput('after', 'is not a cursor returned by this connection');
}

/** The key of a cursor over a text column (names). */
export function textCursorKey(position: CursorPosition): string {
  if (typeof position.key !== 'string') notOurCursor();
  return position.key;
}

/** The key of a cursor over a NUMERIC(12,2) column or its sentinels ("39.90", "9999999999.99", "-1"). */
export function decimalCursorKey(position: CursorPosition): string {
  const key = typeof position.key === 'number' ? String(position.key) : position.key;
  if (typeof key !== 'string' || !/^-?\d{1,12}(\.\d{1,2})?$/.test(key)) notOurCursor();
  return key;
}

/** The key of a cursor over an integer column (sums of monthly sales). */
export function integerCursorKey(position: CursorPosition): number {
  if (typeof position.key !== 'number' || !Number.isSafeInteger(position.key) || Math.abs(position.key) > 2 ** 31 - 1) notOurCursor();
  return position.key;
}

/** The key of a cursor over a timestamp, as these connections write it (ISO 8601, UTC). */
export function timeCursorKey(position: CursorPosition): Date {
  const key = position.key;
  if (typeof key !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key) || Number.isNaN(Date.parse(key))) notOurCursor();
  return new Date(key);
}
