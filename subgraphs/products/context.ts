import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import type { SubgraphClient } from '../../common/subgraphClient';
import type { CertifiedProducts } from './catalog/certifiedProducts';
import { createProductLoaders, type ProductLoaders } from './catalog/productLoaders';
import type { ProductsDb } from './store';
import type { SupplierDirectory } from './listings/supplierDirectory';

export interface ProductsContext {
  identity: Identity;
  db: ProductsDb;
  loaders: ProductLoaders;
  certifiedProducts: CertifiedProducts;
  /** The certification subgraph's API, for which products the matching engine must not rearrange. */
  certification: SubgraphClient;
  /** The suppliers subgraph's API, for resolving the suppliers named in listings. */
  suppliers: SubgraphClient;
  /** Suppliers already resolved through that API, shared by every request of the process. */
  supplierDirectory: SupplierDirectory;
  /** Title similarity at or above which a new listing links to an existing product. */
  matchThreshold: number;
}

export function createProductsContext(
  store: Store<ProductsDb>,
  identity: Identity,
  peers: { certifiedProducts: CertifiedProducts; certification: SubgraphClient; suppliers: SubgraphClient; supplierDirectory: SupplierDirectory },
  matchThreshold: number,
): ProductsContext {
  return { identity, db: store.client, loaders: createProductLoaders(store.client), ...peers, matchThreshold };
}
