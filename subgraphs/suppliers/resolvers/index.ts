import type { Resolvers } from '../generated/graphql';
import { Mutation } from './Mutation';
import { Query } from './Query';
import { Region } from './Region';
import { DateTimeScalar } from '../../../common/scalars';
import { Supplier, SupplierConnection, SupplierSuggestion, SupplierSuggestionConnection } from './Supplier';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query,
  Mutation,
  Supplier,
  SupplierConnection,
  SupplierSuggestion,
  SupplierSuggestionConnection,
  Region,
};
