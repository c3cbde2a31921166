import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { isStaffOperation, type ContractOperation } from '../contractDocuments';
import { createPlaygroundRouter } from '../playground/playgroundRouter';
import type { GatewayFeature } from './types';

/**
 * GraphiQL at / (PLAYGROUND), bundled (gateway/playground/), with the
 * contract's operations preloaded; null serves none. Apollo's own landing
 * page, which loads from a CDN, is off either way.
 */
export function playground(contract: ContractOperation[] | null, options: { production: boolean }): GatewayFeature {
  // Whoever opens the playground is anonymous (a browser sends no token):
  // in production it shows the partner operations only, not the staff ones.
  const documents = contract?.filter((operation) => !(options.production && isStaffOperation(operation))).map(({ name, query }) => ({ name, query }));
  return {
    name: 'playground',
    plugins: [ApolloServerPluginLandingPageDisabled()],
    routes: (app) => {
      if (documents) app.use(createPlaygroundRouter({ graphqlPath: '/graphql', documents }));
    },
  };
}
