import { peerClient, type SubgraphModule } from '../../common/subgraphProcess';
import { buildSubgraphServer } from '../../common/subgraphServer';
import { createSuppliersContext, type SuppliersContext } from './context';
import { resolvers } from './resolvers';
import { seedSuppliersIfEmpty } from './seed';
import { renormalizeSupplierNames } from './supplierRenaming';
import { openSuppliersStore, type SuppliersDb } from './store';

/** The suppliers subgraph: producers and the counties they are in. */
export const suppliersSubgraph: SubgraphModule<SuppliersDb, SuppliersContext> = {
  name: 'suppliers',
  openStore: openSuppliersStore,
  buildServer: (config) =>
    buildSubgraphServer<SuppliersContext>({
      name: 'suppliers',
      resolvers,
      cacheMaxAgeSeconds: config.cacheMaxAgeSeconds,
      log: config.log,
      tracing: config.tracing,
    }),
  createContext: async (store, identity, config) => createSuppliersContext(store, identity, peerClient('suppliers', 'products', config, 60_000)),
  seedIfEmpty: (store) => seedSuppliersIfEmpty(store.client),
  prepare: async (store, config) => {
    const { renamed, collisions } = await renormalizeSupplierNames(store.client);
    if (renamed + collisions > 0) config.log.info({ renamed, collisions }, 'supplier keys brought up to the current name rule');
  },
};
