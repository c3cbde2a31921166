import { GraphQLError } from 'graphql';
import type { MatchSuggestionConnectionResolvers, MatchSuggestionResolvers, MoveListingResultResolvers } from '../generated/graphql';
import type { ProductLoaders } from '../catalog/productLoaders';

async function listingOf(loaders: ProductLoaders, id: string) {
  const listing = await loaders.listingById.load(id);
  if (!listing) throw new GraphQLError(`listing ${id} is gone`);
  return listing;
}

async function productOf(loaders: ProductLoaders, id: string) {
  const product = await loaders.productById.load(id);
  if (!product) throw new GraphQLError(`product ${id} is gone`);
  return product;
}

export const MatchSuggestion: MatchSuggestionResolvers = {
  left: (suggestion, _args, { loaders }) => listingOf(loaders, suggestion.leftListingId),
  right: (suggestion, _args, { loaders }) => listingOf(loaders, suggestion.rightListingId),
  score: (suggestion) => Number(suggestion.score),
};

export const MatchSuggestionConnection: MatchSuggestionConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};

export const MoveListingResult: MoveListingResultResolvers = {
  listing: (result, _args, { loaders }) => listingOf(loaders, result.listingId),
  from: (result, _args, { loaders }) => productOf(loaders, result.fromId),
  to: (result, _args, { loaders }) => productOf(loaders, result.toId),
};
