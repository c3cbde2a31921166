import type { SubgraphClient } from '../../common/subgraphClient';
import type { EligibilityFacts } from './eligibility';
import { ProductFactsDocument, type ProductFactsQuery } from './generated/productsOperations';
import { SupplierFactsDocument, type SupplierFactsQuery } from './generated/suppliersOperations';

export interface ProductFacts extends EligibilityFacts {
  productId: string;
  /** The product's origin county code: part of its certificate number. */
  originCode: string;
  /** The platforms that list the product: a partner may apply only for products on its own. */
  platforms: string[];
}

// The operations are operations/products.graphql and operations/suppliers.graphql.
type ProductEntity = Extract<ProductFactsQuery['_entities'][number], { __typename: 'Product' }>;
type SupplierEntity = Extract<SupplierFactsQuery['_entities'][number], { __typename: 'Supplier' }>;

/**
 * Reads what a write needs to know about products (origin county, supplier's
 * eligibility facts) through the owning subgraphs' entity APIs, the same way
 * the gateway does: two requests for any number of products, and no copy of
 * supplier data in the certification store.
 */
export function productFactsReader(products: SubgraphClient, suppliers: SubgraphClient) {
  return async (productIds: readonly string[]): Promise<Map<string, ProductFacts>> => {
    const ids = [...new Set(productIds)];
    const facts = new Map<string, ProductFacts>();
    if (ids.length === 0) return facts;
    const { _entities: productEntities } = await products.request(ProductFactsDocument, {
      representations: ids.map((id) => ({ __typename: 'Product', id })),
    });
    const found = productEntities.filter((entity): entity is ProductEntity => entity?.__typename === 'Product');
    const supplierIds = [...new Set(found.flatMap((product) => (product.supplier ? [product.supplier.id] : [])))];
    const { _entities: supplierEntities } = await suppliers.request(SupplierFactsDocument, {
      representations: supplierIds.map((id) => ({ __typename: 'Supplier', id })),
    });
    const supplierById = new Map(
      supplierEntities.filter((entity): entity is SupplierEntity => entity?.__typename === 'Supplier').map((supplier) => [supplier.id, supplier]),
    );
    for (const product of found) {
      // Every product has an origin county and a supplier (both columns are required there).
      if (!product.origin || !product.supplier) throw new Error(`the products subgraph answered product ${product.id} without its origin or supplier`);
      const supplier = supplierById.get(product.supplier.id);
      facts.set(product.id, {
        productId: product.id,
        originCode: product.origin.code,
        platforms: [...new Set(product.listings.map((listing) => listing.platform.code))],
        regionCode: supplier?.region.code ?? null,
        designatedPovertyCounty: supplier?.region.designatedPovertyCounty ?? false,
        beneficiaryHouseholds: supplier?.beneficiaryHouseholds ?? 0,
      });
    }
    return facts;
  };
}

export type ProductFactsReader = ReturnType<typeof productFactsReader>;
