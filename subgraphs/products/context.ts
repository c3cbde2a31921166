import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import type { SubgraphClient } from '../../common/subgraphClient';
import type { CertifiedProducts } from './certifiedProducts';
import { createProductLoaders, type ProductLoaders } from './productLoaders';
import type { ProductsDb } from './store';

export interface ProductsContext {
  identity: Identity;
  db: ProductsDb;
  loaders: ProductLoaders;
  certifiedProducts: CertifiedProducts;
  /** The suppliers subgraph's API, for resolving the suppliers named in listings. */
  suppliers: SubgraphClient;
  /** Title similarity at or above which a new listing links to an existing product. */
  matchThreshold: number;
}

export function createProductsContext(
  store: Store<ProductsDb>,
  identity: Identity,
  peers: { certifiedProducts: CertifiedProducts; suppliers: SubgraphClient },
  matchThreshold: number,
): ProductsContext {
  return { identity, db: store.client, loaders: createProductLoaders(store.client), ...peers, matchThreshold };
}
