import { badUserInput, forbidden } from '../../../common/errors';
import type { MutationResolvers } from '../generated/graphql';
import { MAX_SUPPLIERS_PER_CALL, resolveSuppliers } from '../supplierRegistry';

export const Mutation: MutationResolvers = {
  // Internal to the graph (@inaccessible): only another subgraph may call it.
  resolveSuppliers: (_parent, { suppliers }, { identity, db }) => {
    if (!identity.service) throw forbidden('resolveSuppliers is internal to the graph.');
    if (suppliers.length > MAX_SUPPLIERS_PER_CALL) {
      throw badUserInput('suppliers', `at most ${MAX_SUPPLIERS_PER_CALL} per call, got ${suppliers.length}`);
    }
    return resolveSuppliers(db, suppliers);
  },
};
