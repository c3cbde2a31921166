import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import type { CertifiedProducts } from './certifiedProducts';
import { createProductLoaders, type ProductLoaders } from './productLoaders';
import type { ProductsDb } from './store';

export interface ProductsContext {
  identity: Identity;
  db: ProductsDb;
  loaders: ProductLoaders;
  certifiedProducts: CertifiedProducts;
}

export function createProductsContext(
  store: Store<ProductsDb>,
  identity: Identity,
  certifiedProducts: CertifiedProducts,
): ProductsContext {
  return { identity, db: store.client, loaders: createProductLoaders(store.client), certifiedProducts };
}
