import { GraphQLError } from 'graphql';
import type { SupplierConnectionResolvers, SupplierResolvers } from '../generated/graphql';

export const Supplier: SupplierResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.supplierById.load(reference.id),
  region: async (supplier, _args, { loaders }) => {
    const region = await loaders.regionByCode.load(supplier.regionCode);
    // The foreign key makes this impossible; say so loudly if it ever happens.
    if (!region) throw new GraphQLError(`supplier ${supplier.id} has unknown region ${supplier.regionCode}`);
    return region;
  },
};

export const SupplierConnection: SupplierConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
