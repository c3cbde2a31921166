import { peerClient, type SubgraphModule } from '../../common/subgraphProcess';
import { buildSubgraphServer } from '../../common/subgraphServer';
import { certifiedProductsFrom } from './certifiedProducts';
import { createProductsContext, type ProductsContext } from './context';
import { resolvers } from './resolvers';
import { seedProductsIfEmpty } from './seed';
import { openProductsStore, type ProductsDb } from './store';

/** The products subgraph: the unified catalog and each member platform's listings. */
export const productsSubgraph: SubgraphModule<ProductsDb, ProductsContext> = {
  name: 'products',
  openStore: openProductsStore,
  buildServer: () => buildSubgraphServer<ProductsContext>({ name: 'products', resolvers }),
  createContext: async (store, identity, config) =>
    createProductsContext(store, identity, certifiedProductsFrom(peerClient('products', 'certification', config))),
  seedIfEmpty: (store) => seedProductsIfEmpty(store.client),
};
