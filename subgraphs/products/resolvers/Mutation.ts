import { requireRole } from '../../../common/identity';
import type { MutationResolvers } from '../generated/graphql';
import { upsertListings } from '../listingImport';
import { registerPlatform } from '../platformRegistry';

export const Mutation: MutationResolvers = {
  upsertListings: (_parent, { platform, listings, explain }, context) => {
    requireRole(context.identity, ['partner'], 'upsertListings');
    return upsertListings(
      { db: context.db, suppliers: context.suppliers, certification: context.certification, supplierDirectory: context.supplierDirectory, identity: context.identity, matchThreshold: context.matchThreshold },
      platform,
      listings,
      explain ?? false,
    );
  },
  registerPlatform: (_parent, { code, name }, { identity, db }) => {
    requireRole(identity, ['certifier'], 'registerPlatform');
    return registerPlatform(db, code, name);
  },
};
