import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import { createSupplierLoaders, type SupplierLoaders } from './supplierLoaders';
import type { SuppliersDb } from './store';

export interface SuppliersContext {
  identity: Identity;
  db: SuppliersDb;
  loaders: SupplierLoaders;
}

export function createSuppliersContext(store: Store<SuppliersDb>, identity: Identity): SuppliersContext {
  return { identity, db: store.client, loaders: createSupplierLoaders(store.client) };
}
