import { badUserInput, forbidden } from '../../../common/errors';
import type { MutationResolvers } from '../generated/graphql';
import { requireRole } from '../../../common/identity';
import { MAX_SUPPLIERS_PER_CALL, resolveSuppliers } from '../supplierRegistry';
import { dismissSupplierSuggestion, mergeSuppliers } from '../supplierReview';

export const Mutation: MutationResolvers = {
  // Internal to the graph (@inaccessible): only another subgraph may call it.
  resolveSuppliers: (_parent, { suppliers }, { identity, db }) => {
    if (!identity.service) throw forbidden('resolveSuppliers is internal to the graph.');
    if (suppliers.length > MAX_SUPPLIERS_PER_CALL) {
      throw badUserInput('suppliers', `at most ${MAX_SUPPLIERS_PER_CALL} per call, got ${suppliers.length}`);
    }
    return resolveSuppliers(db, suppliers);
  },
  mergeSuppliers: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'mergeSuppliers');
    return mergeSuppliers(context, args);
  },
  dismissSupplierSuggestion: (_parent, args, context) => {
    requireRole(context.identity, ['certifier'], 'dismissSupplierSuggestion');
    return dismissSupplierSuggestion(context, args);
  },
};
