import { GraphQLError } from 'graphql';
import type { ListingResolvers } from '../generated/graphql';

export const Listing: ListingResolvers = {
  platform: async (listing, _args, { loaders }) => {
    const platform = await loaders.platformByCode.load(listing.platformCode);
    if (!platform) throw new GraphQLError(`listing ${listing.id} has unknown platform ${listing.platformCode}`);
    return platform;
  },
  price: (listing) => ({ amount: listing.price, currency: listing.currency }),
  product: async (listing, _args, { loaders }) => {
    const product = await loaders.productById.load(listing.productId);
    if (!product) throw new GraphQLError(`listing ${listing.id} has unknown product ${listing.productId}`);
    return product;
  },
};
