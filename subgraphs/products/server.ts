import { ConfigError, envString } from '../../common/environment';
import { peerClient, type SubgraphModule } from '../../common/subgraphProcess';
import { buildSubgraphServer } from '../../common/subgraphServer';
import { certifiedProductsFrom, takeCopyAtStart } from './catalog/certifiedProducts';
import { createProductsContext, type ProductsContext } from './context';
import { DEFAULT_LINK_THRESHOLD } from './matching/catalogClustering';
import { loadDictionary } from './matching/titleWords';
import { resolvers } from './resolvers';
import { seedProductsIfEmpty } from './seed';
import { openProductsStore, type ProductsDb } from './store';
import { SupplierDirectory } from './listings/supplierDirectory';

/** MATCH_THRESHOLD: title similarity (0 to 1) at or above which the matching engine links two listings of one block. */
export function matchThreshold(env: Record<string, string | undefined>): number {
  const text = envString(env, 'MATCH_THRESHOLD');
  if (text === undefined) return DEFAULT_LINK_THRESHOLD;
  const value = Number(text);
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(text) || Number.isNaN(value)) {
    throw new ConfigError('MATCH_THRESHOLD', `must be a number from 0 to 1, got "${text}"`);
  }
  return value;
}

/** The products subgraph: the unified catalog and each member platform's listings. */
export function productsSubgraph(env: Record<string, string | undefined> = process.env): SubgraphModule<ProductsDb, ProductsContext> {
  const threshold = matchThreshold(env);
  const supplierDirectory = new SupplierDirectory();
  // At start, not in the first import's request.
  loadDictionary();
  return {
    name: 'products',
    openStore: openProductsStore,
    buildServer: (config) =>
      buildSubgraphServer<ProductsContext>({
        name: 'products',
        resolvers,
        cacheMaxAgeSeconds: config.cacheMaxAgeSeconds,
        log: config.log,
        tracing: config.tracing,
      }),
    createContext: async (store, identity, config) =>
      createProductsContext(
        store,
        identity,
        {
          certifiedProducts: certifiedProductsFrom(peerClient('products', 'certification', config), peerClient('products', 'certification', config, 60_000)),
          certification: peerClient('products', 'certification', config),
          // Resolving a batch's suppliers is part of an import, which may take up to a minute.
          suppliers: peerClient('products', 'suppliers', config, 60_000),
          supplierDirectory,
        },
        threshold,
      ),
    seedIfEmpty: (store) => seedProductsIfEmpty(store.client),
    background: (store, config) => takeCopyAtStart(certifiedProductsFrom(peerClient('products', 'certification', config, 60_000)), store.client, config.log),
  };
}
