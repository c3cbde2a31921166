import { requireRole } from '../../../common/identity';
import type { MutationResolvers } from '../generated/graphql';
import { upsertListings } from '../listings/listingImport';
import { keepProductsApart, mergeProducts, moveListing, supplierMerged } from '../matching/staffDecisions';
import { registerPlatform } from '../platforms/platformRegistry';
import { forbidden } from '../../../common/errors';

export const Mutation: MutationResolvers = {
  upsertListings: (_parent, { platform, listings, explain }, context) => {
    requireRole(context.identity, ['partner'], 'upsertListings');
    return upsertListings(
      {
        db: context.db,
        suppliers: context.suppliers,
        certification: context.certification,
        supplierDirectory: context.supplierDirectory,
        identity: context.identity,
        matchThreshold: context.matchThreshold,
      },
      platform,
      listings,
      explain ?? false,
    );
  },
  mergeProducts: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'mergeProducts');
    return mergeProducts(context, args);
  },
  moveListing: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'moveListing');
    return moveListing(context, args);
  },
  keepProductsApart: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'keepProductsApart');
    return keepProductsApart(context, args);
  },
  supplierMerged: (_parent, args, { identity, db }) => {
    if (!identity.service) throw forbidden('supplierMerged is internal to the graph.');
    return supplierMerged({ db }, args);
  },
  registerPlatform: (_parent, { code, name }, { identity, db }) => {
    requireRole(identity, ['certifier'], 'registerPlatform');
    return registerPlatform(db, code, name);
  },
};
