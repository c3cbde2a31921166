import { pageRequest } from '../../../common/connection';
import { requireRole } from '../../../common/identity';
import { regionCodePrefix } from '../../../common/textInput';
import type { QueryResolvers } from '../generated/graphql';
import { findSupplierSuggestions, SUPPLIER_SUGGESTION_ORDER } from '../supplierReview';
import { findSuppliersPage, SUPPLIER_ORDER } from '../supplierQueries';

export const Query: QueryResolvers = {
  supplier: (_parent, { id }, { loaders }) => loaders.supplierById.load(id),
  suppliers: (_parent, args, { db }) => findSuppliersPage(db, regionCodePrefix(args.regionCode, 'regionCode'), pageRequest(args, SUPPLIER_ORDER)),
  supplierSuggestions: (_parent, args, { identity, db }) => {
    requireRole(identity, ['certifier'], 'supplierSuggestions');
    return findSupplierSuggestions(db, pageRequest(args, SUPPLIER_SUGGESTION_ORDER));
  },
  region: (_parent, { code }, { loaders }) => (/^\d{6}$/.test(code) ? loaders.regionByCode.load(code) : null),
};
