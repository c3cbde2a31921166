import { pageRequest } from '../../../common/connection';
import { requireRole } from '../../../common/identity';
import { badUserInput, forbidden } from '../../../common/errors';
import { effectiveStatus } from '../certificationStatus';
import { findCertificationsPage, findCertifiedProductChanges, findCertifiedProducts, QUEUE_ORDER } from '../certificationQueries';
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
  // Internal: the products subgraph keeps its copy of the certified set in step with it.
  certifiedProductChanges: (_parent, { since }, { identity, db, now }) => {
    if (!identity.service) throw forbidden('certifiedProductChanges is internal to the graph.');
    if (since < -1) throw badUserInput('since', `must be -1 or a version, got ${since}`);
    return findCertifiedProductChanges(db, since, now);
  },
  certificationStates: async (_parent, { productIds }, { identity, loaders, now }) => {
    if (!identity.service) throw forbidden('certificationStates is internal to the graph.');
    if (productIds.length > 1000) throw badUserInput('productIds', `at most 1000, got ${productIds.length}`);
    const histories = await loaders.certificationsByProductId.loadMany(productIds);
    return productIds.flatMap((productId, index) => {
      const history = histories[index];
      if (history instanceof Error) throw history;
      if (!history || history.length === 0) return [];
      const open = history.some((certification) => ['PENDING', 'APPROVED'].includes(effectiveStatus(certification, now)));
      return [{ productId, open }];
    });
  },
};
