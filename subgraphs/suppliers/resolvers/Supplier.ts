import { GraphQLError } from 'graphql';
import { isCertifier } from '../../../common/identity';
import type { SupplierLoaders } from '../supplierLoaders';
import type { SupplierConnectionResolvers, SupplierResolvers, SupplierSuggestionConnectionResolvers, SupplierSuggestionResolvers } from '../generated/graphql';

export const Supplier: SupplierResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.supplierById.load(reference.id),
  region: async (supplier, _args, { loaders }) => {
    const region = await loaders.regionByCode.load(supplier.regionCode);
    // The foreign key makes this impossible; say so loudly if it ever happens.
    if (!region) throw new GraphQLError(`supplier ${supplier.id} has unknown region ${supplier.regionCode}`);
    return region;
  },
  history: (supplier, _args, { identity, loaders }) => (isCertifier(identity) ? loaders.eventsBySupplierId.load(supplier.id) : null),
};

async function supplierOf(loaders: SupplierLoaders, id: string) {
  const supplier = await loaders.supplierById.load(id);
  if (!supplier) throw new GraphQLError(`supplier ${id} is gone`);
  return supplier;
}

export const SupplierSuggestion: SupplierSuggestionResolvers = {
  supplier: (suggestion, _args, { loaders }) => supplierOf(loaders, suggestion.supplierId),
  similar: (suggestion, _args, { loaders }) => supplierOf(loaders, suggestion.similarId),
  score: (suggestion) => Number(suggestion.score),
};

export const SupplierSuggestionConnection: SupplierSuggestionConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};

export const SupplierConnection: SupplierConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
