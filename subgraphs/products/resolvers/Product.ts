import { isCertifier } from '../../../common/identity';
import type { ProductConnectionResolvers, ProductResolvers } from '../generated/graphql';

export const Product: ProductResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.productById.load(reference.id),
  origin: (product) => ({ code: product.originRegionCode }),
  supplier: (product) => ({ id: product.supplierId }),
  listings: (product, _args, { loaders }) => loaders.listingsByProductId.load(product.id),
  arrangedByStaff: (product) => product.pinned,
  history: (product, _args, { identity, loaders }) => (isCertifier(identity) ? loaders.eventsByProductId.load(product.id) : null),
  // The range is kept on the product row with every listing write: no query here.
  priceRange: (product) =>
    product.minPrice && product.maxPrice && product.priceCurrency
      ? {
          min: { amount: product.minPrice, currency: product.priceCurrency },
          max: { amount: product.maxPrice, currency: product.priceCurrency },
        }
      : null,
};

export const ProductConnection: ProductConnectionResolvers = {
  totalCount: (connection) => connection.totalCount(),
};
