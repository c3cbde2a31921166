import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import type { SubgraphClient } from '../../common/subgraphClient';
import { createSupplierLoaders, type SupplierLoaders } from './supplierLoaders';
import type { SuppliersDb } from './store';

export interface SuppliersContext {
  identity: Identity;
  db: SuppliersDb;
  loaders: SupplierLoaders;
  /** The products subgraph's API: a supplier merge moves its products there first. */
  products: SubgraphClient;
}

export function createSuppliersContext(store: Store<SuppliersDb>, identity: Identity, products: SubgraphClient): SuppliersContext {
  return { identity, db: store.client, loaders: createSupplierLoaders(store.client), products };
}
