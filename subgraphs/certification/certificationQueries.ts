import { pageFromRows, timeCursorKey, type PageRequest } from '../../common/connection';
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
export async function findCertificationsPage(
  db: CertificationDb,
  status: CertificationStatus,
  page: PageRequest,
  now: Date,
): Promise<CertificationConnection> {
  const inStatus = statusWhere(status, now);
  const afterTime = page.after ? timeCursorKey(page.after) : null;
  const after: Prisma.CertificationWhereInput = page.after
    ? {
        OR: [
          { createdAt: { gt: afterTime! } },
          { createdAt: afterTime!, id: { gt: page.after.id } },
        ],
      }
    : {};
  const rows = await db.certification.findMany({
    where: { AND: [inStatus, after] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: page.first + 1,
  });
  return {
    ...pageFromRows(
      rows,
      page,
      (row: Certification) => ({ order: QUEUE_ORDER, key: row.createdAt.toISOString(), id: row.id }),
      (row) => row,
    ),
    totalCount: () => db.certification.count({ where: inStatus }),
  };
}

/** Products holding a valid certificate at `now`, and when the first of those certificates lapses. */
export async function findCertifiedProducts(db: CertificationDb, now: Date): Promise<{ productIds: string[]; changesAt: Date | null }> {
  const rows = await db.certification.findMany({
    where: statusWhere('APPROVED', now),
    select: { productId: true, validUntil: true },
    orderBy: { productId: 'asc' },
  });
  const changesAt = rows.reduce<Date | null>(
    (earliest, row) => (row.validUntil && (!earliest || row.validUntil < earliest) ? row.validUntil : earliest),
    null,
  );
  return { productIds: rows.map((row) => row.productId), changesAt };
}
