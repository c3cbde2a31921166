import { DateTimeScalar, DecimalScalar } from '../../../common/scalars';
import type { Resolvers } from '../generated/graphql';
import { Listing } from './Listing';
import { ListingResult } from './ListingResult';
import { MatchSuggestion, MatchSuggestionConnection, MoveListingResult } from './MatchSuggestion';
import { Mutation } from './Mutation';
import { Product, ProductConnection } from './Product';
import { Query } from './Query';
import { Supplier } from './Supplier';

export const resolvers: Resolvers = {
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Product,
  ProductConnection,
  Listing,
  ListingResult,
  MatchSuggestion,
  MatchSuggestionConnection,
  MoveListingResult,
  Supplier,
};
