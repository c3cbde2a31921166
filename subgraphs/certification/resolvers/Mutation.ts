import { requireRole } from '../../../common/identity';
import {
  applyForCertification,
  approveCertification,
  certifyProducts,
  rejectCertification,
  revokeCertification,
  type LifecycleDeps,
} from '../certificationLifecycle';
import type { CertificationContext } from '../context';
import type { MutationResolvers } from '../generated/graphql';

function deps(context: CertificationContext): LifecycleDeps {
  return { db: context.db, productFacts: context.productFacts, issuer: context.issuer, actor: context.identity, now: context.now };
}

export const Mutation: MutationResolvers = {
  applyForCertification: (_parent, { productId, evidence }, context) => {
    requireRole(context.identity, ['partner', 'certifier'], 'applyForCertification');
    return applyForCertification(deps(context), productId, evidence);
  },
  approveCertification: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'approveCertification');
    return approveCertification(deps(context), args);
  },
  rejectCertification: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'rejectCertification');
    return rejectCertification(deps(context), args);
  },
  revokeCertification: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'revokeCertification');
    return revokeCertification(deps(context), args);
  },
  certifyProducts: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'certifyProducts');
    return certifyProducts(deps(context), args);
  },
};
