import { connectionFromRows, pageRequest } from '../../../common/connection';
import { SUPPLIER_PRODUCTS_ORDER } from '../catalog/catalogQueries';
import type { SupplierResolvers } from '../generated/graphql';

export const Supplier: SupplierResolvers = {
  // Any supplier id is a valid reference here: a supplier with no products has an empty page.
  __resolveReference: (reference) => ({ id: reference.id }),
  products: async (supplier, args, { loaders }) => {
    const page = pageRequest(args, SUPPLIER_PRODUCTS_ORDER);
    const rows = await loaders.supplierProductPage.load({ supplierId: supplier.id, first: page.first, after: page.after });
    return connectionFromRows(
      rows,
      page,
      (product) => ({ order: SUPPLIER_PRODUCTS_ORDER, key: product.name, id: product.id }),
      () => loaders.supplierProductCount.load(supplier.id),
    );
  },
};
