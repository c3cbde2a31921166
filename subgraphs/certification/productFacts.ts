import type { SubgraphClient } from '../../common/subgraphClient';
import type { EligibilityFacts } from './eligibility';

export interface ProductFacts extends EligibilityFacts {
  productId: string;
  /** The product's origin county code: part of its certificate number. */
  originCode: string;
  /** The platforms that list the product: a partner may apply only for products on its own. */
  platforms: string[];
}

const PRODUCT_ENTITIES = /* GraphQL */ `
  query ProductFacts($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Product {
        id
        origin {
          code
        }
        supplier {
          id
        }
        listings {
          platform {
            code
          }
        }
      }
    }
  }
`;

const SUPPLIER_ENTITIES = /* GraphQL */ `
  query SupplierFacts($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Supplier {
        id
        beneficiaryHouseholds
        region {
          code
          designatedPovertyCounty
        }
      }
    }
  }
`;

interface ProductEntity {
  id: string;
  origin: { code: string };
  supplier: { id: string };
  listings: { platform: { code: string } }[];
}

interface SupplierEntity {
  id: string;
  beneficiaryHouseholds: number;
  region: { code: string; designatedPovertyCounty: boolean };
}

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
    const { _entities: productEntities } = await products.request<{ _entities: (ProductEntity | null)[] }>(PRODUCT_ENTITIES, {
      representations: ids.map((id) => ({ __typename: 'Product', id })),
    });
    const found = productEntities.filter((entity): entity is ProductEntity => entity !== null);
    const supplierIds = [...new Set(found.map((product) => product.supplier.id))];
    const { _entities: supplierEntities } = await suppliers.request<{ _entities: (SupplierEntity | null)[] }>(SUPPLIER_ENTITIES, {
      representations: supplierIds.map((id) => ({ __typename: 'Supplier', id })),
    });
    const supplierById = new Map(supplierEntities.filter((entity): entity is SupplierEntity => entity !== null).map((supplier) => [supplier.id, supplier]));
    for (const product of found) {
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
