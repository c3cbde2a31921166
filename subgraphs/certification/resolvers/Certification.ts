import { requireRole } from '../../../common/identity';
import { effectiveStatus } from '../certificationStatus';
import type { CertificationConnectionResolvers, CertificationResolvers } from '../generated/graphql';

export const Certification: CertificationResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.certificationById.load(reference.id),
  product: (certification) => ({ id: certification.productId }),
  status: (certification, _args, { now }) => effectiveStatus(certification, now),
  evidence: (certification, _args, { identity }) => {
    requireRole(identity, ['certifier'], 'Certification.evidence');
    return certification.evidence;
  },
  history: (certification, _args, { identity, loaders }) => {
    requireRole(identity, ['certifier'], 'Certification.history');
    return loaders.eventsByCertificationId.load(certification.id);
  },
};

export const CertificationConnection: CertificationConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
