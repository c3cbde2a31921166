import { rowByKeyLoader, rowsByKeyLoader } from '../../common/loaders';
import type { CertificationDb } from './store';

/** One set per request: certifications and histories of any number of products in a fixed number of statements. */
export function createCertificationLoaders(db: CertificationDb) {
  return {
    certificationById: rowByKeyLoader(
      (ids: readonly string[]) => db.certification.findMany({ where: { id: { in: [...ids] } } }),
      (row) => row.id,
    ),
    certificationsByProductId: rowsByKeyLoader(
      (productIds: readonly string[]) =>
        db.certification.findMany({
          where: { productId: { in: [...productIds] } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      (row) => row.productId,
    ),
    eventsByCertificationId: rowsByKeyLoader(
      (ids: readonly string[]) => db.certificationEvent.findMany({ where: { certificationId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
      (row) => row.certificationId,
    ),
  };
}

export type CertificationLoaders = ReturnType<typeof createCertificationLoaders>;
