import { afterCursorWhere, connectionFromRows, timeCursorKey, type PageRequest } from '../../common/connection';
import type { Certification, CertificationStatus, Prisma } from './generated/prisma/client';
import type { CertificationConnection } from './schema.mappers';
import type { CertificationDb } from './store';

/** Stored rows that read as `status` at `now` (an APPROVED row past validUntil reads as EXPIRED). */
export function statusWhere(status: CertificationStatus, now: Date): Prisma.CertificationWhereInput {
  switch (status) {
    case 'APPROVED':
      return { status: 'APPROVED', validUntil: { gt: now } };
    case 'EXPIRED':
      return { OR: [{ status: 'EXPIRED' }, { status: 'APPROVED', validUntil: { lte: now } }] };
    default:
      return { status };
  }
}

export const QUEUE_ORDER = 'CREATED_ASC';

/** The review queue: certifications in a status, oldest first, as a stable keyset page. */
export async function findCertificationsPage(db: CertificationDb, status: CertificationStatus, page: PageRequest, now: Date): Promise<CertificationConnection> {
  const inStatus = statusWhere(status, now);
  const after: Prisma.CertificationWhereInput = afterCursorWhere(page.after, 'createdAt', 'asc', timeCursorKey);
  const rows = await db.certification.findMany({
    where: { AND: [inStatus, after] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: page.first + 1,
  });
  return connectionFromRows(
    rows,
    page,
    (row: Certification) => ({ order: QUEUE_ORDER, key: row.createdAt.toISOString(), id: row.id }),
    () => db.certification.count({ where: inStatus }),
  );
}

/** Products holding a valid certificate at `now`, and when the first of those certificates lapses. */
export async function findCertifiedProducts(db: CertificationDb, now: Date): Promise<{ productIds: string[]; changesAt: Date | null }> {
  const rows = await db.certification.findMany({
    where: statusWhere('APPROVED', now),
    select: { productId: true, validUntil: true },
    orderBy: { productId: 'asc' },
  });
  const changesAt = rows.reduce<Date | null>((earliest, row) => (row.validUntil && (!earliest || row.validUntil < earliest) ? row.validUntil : earliest), null);
  return { productIds: rows.map((row) => row.productId), changesAt };
}

export interface CertifiedProductChanges {
  version: number;
  changes: { productId: string; validUntil: Date | null }[];
  changesAt: Date | null;
}

/**
 * The products whose certification was written after version `since` (with
 * -1, every product holding a valid certificate), each with the validUntil of
 * its valid certificate at `now` or null. One statement, so the version, the
 * changes and the first expiry come from one snapshot: certification writes
 * take their version under the counter's row lock (migration
 * 20261203000000), so every write up to the version read is visible here.
 */
export async function findCertifiedProductChanges(db: CertificationDb, since: number, now: Date): Promise<CertifiedProductChanges> {
  const rows = await db.$queryRaw<{ version: bigint; changes_at: Date | null; product_id: string | null; valid_until: Date | null }[]>`
    WITH changed AS (
      SELECT DISTINCT c.product_id FROM certification c WHERE ${since}::bigint >= 0 AND c.change_version > ${since}::bigint
      UNION
      SELECT c.product_id FROM certification c
      WHERE ${since}::bigint < 0 AND c.status = 'APPROVED' AND c.valid_until > ${now}::timestamptz
    )
    SELECT counter.value AS version,
           (SELECT min(c.valid_until) FROM certification c WHERE c.status = 'APPROVED' AND c.valid_until > ${now}::timestamptz) AS changes_at,
           changed.product_id,
           valid.valid_until
    FROM certification_change_counter counter
    LEFT JOIN changed ON true
    LEFT JOIN certification valid
      ON valid.product_id = changed.product_id AND valid.status = 'APPROVED' AND valid.valid_until > ${now}::timestamptz
    WHERE counter.id = 1`;
  const [first] = rows;
  if (!first) throw new Error('certification_change_counter has no row: the certification store is not migrated');
  return {
    version: Number(first.version),
    changesAt: first.changes_at,
    changes: rows.filter((row) => row.product_id !== null).map((row) => ({ productId: row.product_id!, validUntil: row.valid_until })),
  };
}
