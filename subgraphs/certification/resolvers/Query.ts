import { pageRequest } from '../../../common/connection';
import { requireRole } from '../../../common/identity';
import { forbidden } from '../../../common/errors';
import { findCertificationsPage, findCertifiedProducts, QUEUE_ORDER } from '../certificationQueries';
import type { QueryResolvers } from '../generated/graphql';

export const Query: QueryResolvers = {
  certifications: (_parent, args, { identity, db, now }) => {
    requireRole(identity, ['certifier'], 'certifications');
    return findCertificationsPage(db, args.status, pageRequest(args, QUEUE_ORDER), now);
  },
  certification: (_parent, { id }, { identity, loaders }) => {
    requireRole(identity, ['certifier'], 'certification');
    return loaders.certificationById.load(id);
  },
  // Internal to the graph (@inaccessible): the products subgraph asks it for the certifiedOnly filter.
  certifiedProducts: (_parent, _args, { identity, db, now }) => {
    if (!identity.service) throw forbidden('certifiedProducts is internal to the graph.');
    return findCertifiedProducts(db, now);
  },
};
