import type { RegionResolvers } from '../generated/graphql';

export const Region: RegionResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.regionByCode.load(reference.code),
};
