import { envString } from '../../common/environment';
import { peerClient, type SubgraphModule } from '../../common/subgraphProcess';
import { buildSubgraphServer } from '../../common/subgraphServer';
import { createCertificationContext, type CertificationContext } from './context';
import { productFactsReader } from './productFacts';
import { resolvers } from './resolvers';
import { seedCertificationIfEmpty } from './seed';
import { openCertificationStore, type CertificationDb } from './store';

/** The office named on certificates: CERTIFICATE_ISSUER. */
const DEFAULT_ISSUER = '消费帮扶产品认定办公室';

/** The certification subgraph: the review workflow, certificates and their audit trail. */
export function certificationSubgraph(env: Record<string, string | undefined> = process.env): SubgraphModule<CertificationDb, CertificationContext> {
  const issuer = envString(env, 'CERTIFICATE_ISSUER', DEFAULT_ISSUER);
  return {
    name: 'certification',
    openStore: openCertificationStore,
    buildServer: (config) =>
      buildSubgraphServer<CertificationContext>({
        name: 'certification',
        resolvers,
        cacheMaxAgeSeconds: config.cacheMaxAgeSeconds,
        log: config.log,
        tracing: config.tracing,
      }),
    createContext: async (store, identity, config) =>
      createCertificationContext(
        store,
        identity,
        productFactsReader(peerClient('certification', 'products', config), peerClient('certification', 'suppliers', config)),
        issuer,
      ),
    seedIfEmpty: (store) => seedCertificationIfEmpty(store.client),
  };
}
