import type { ListingResultResolvers } from '../generated/graphql';

// Loaded after the write, in one statement each for the whole batch, and only
// when the client selects them: an importer that needs just the counts and the
// rejected rows costs no read-back.
export const ListingResult: ListingResultResolvers = {
  listing: (result, _args, { loaders }) => (result.listingId ? loaders.listingById.load(result.listingId) : null),
  product: (result, _args, { loaders }) => (result.productId ? loaders.productById.load(result.productId) : null),
};
