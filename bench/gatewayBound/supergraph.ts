// The gateway-bound graph's supergraph, composed from the SDL beside this
// file for the subgraphs' URLs of one run; a composition error stops the run.
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { CompositionError } from '../../gateway/supergraph';
import { GATEWAY_BOUND_SUBGRAPHS, gatewayBoundSdl, type GatewayBoundSubgraph } from './subgraphs';

export function composeGatewayBoundSupergraph(urls: Record<GatewayBoundSubgraph, string>): string {
  const result = composeServices(GATEWAY_BOUND_SUBGRAPHS.map((name) => ({ name, url: urls[name], typeDefs: parse(gatewayBoundSdl(name)) })));
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.supergraphSdl;
}
