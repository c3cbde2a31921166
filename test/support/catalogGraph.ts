// The composed graph in the test's own process, with no HTTP: the real
// ApolloGateway over the supergraph composed from schema/, and each subgraph
// local (localSubgraph.ts: its real server, context and store on PGlite in
// memory, seeded with the demo catalog). The subgraphs' calls to each other
// go to each other's executeOperation, with the identity header signed and
// verified as over HTTP.
//
// The gateway is made of its own features (gateway/features/types.ts) in the
// order gateway/server.ts lists them, mounted by gateway/runtime.ts's own
// apolloOver (the Apollo and fetch hooks): the error policy, NUL text, query limits, and
// every subgraph fetch layer (collapsed representations, read retries, the
// identity header, shared and merged reads). Only the transport, the bottom
// layer, is in process: a POST to a subgraph is answered by its
// executeOperation. What gateway/server.ts mounts in express in front of
// Apollo (request ids, CORS, rate limits, body limits, the response cache,
// document limits, persisted queries' HTTP checks), the keep-alive transport
// with its timeouts, tracing and metrics need real sockets: the end-to-end
// suites test those (catalogHarness.ts).
import { STATUS_CODES } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { Store } from '../../common/database';
import type { Identity } from '../../common/identity';
import { createLogger } from '../../common/logging';
import type { PeerFetch } from '../../common/subgraphClient';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../common/topology';
import { identityFromHeaders } from '../../gateway/bearerToken';
import { gatewayConfig } from '../../gateway/config';
import { errorPolicy } from '../../gateway/features/errorPolicy';
import { inputChecks } from '../../gateway/features/inputChecks';
import { queryLimits } from '../../gateway/features/queryLimits';
import type { GatewayFeature } from '../../gateway/features/types';
import { mergedReads } from '../../gateway/fetch/fetchBatching';
import { subgraphIdentity } from '../../gateway/fetch/identity';
import type { SubgraphSavingObserver } from '../../gateway/fetch/layers';
import { collapsedRepresentations } from '../../gateway/fetch/representations';
import { readRetries } from '../../gateway/fetch/retry';
import { sharedReads } from '../../gateway/fetch/sharedFetches';
import type { GatewayContext } from '../../gateway/requestContext';
import { apolloOver, hooks } from '../../gateway/runtime';
import { composeSupergraph } from '../../gateway/supergraph';
import { DEVELOPMENT_ENV } from './developmentSecrets';
import { bearer, testToken, type CatalogClient, type GraphQLRequestBody, type GraphQLResponse } from './graphqlHttp';
import { LOCAL_PEER_URLS, openLocalSubgraph, type LocalSubgraph } from './localSubgraph';

/** The bottom fetch layer for local subgraphs: each POST answered by the subgraph's executeOperation, as its HTTP endpoint would. */
function localSubgraphs(subgraphs: Record<SubgraphName, LocalSubgraph>, requests: Record<SubgraphName, number>): GatewayFeature {
  return {
    name: 'local subgraphs',
    subgraphTransport: (subgraph) => ({
      send: async (post) => {
        requests[subgraph.name as SubgraphName] += 1;
        const answer = await subgraphs[subgraph.name as SubgraphName].answer({ ...post.headers }, JSON.parse(post.body) as GraphQLRequestBody);
        return { status: answer.status, statusText: STATUS_CODES[answer.status] ?? '', cacheControl: answer.cacheControl, text: JSON.stringify(answer.body) };
      },
      close: () => undefined,
    }),
  };
}

/** What a fetch layer spared the subgraphs, by kind, since the graph started. */
export type Savings = Record<Parameters<SubgraphSavingObserver>[0]['saving'], number>;

export interface CatalogGraph extends CatalogClient {
  subgraphs: Record<SubgraphName, LocalSubgraph>;
  stores: Record<SubgraphName, Store<unknown>>;
  /** What the gateway's fetch layers spared the subgraphs so far. */
  savings: Readonly<Savings>;
  /** Requests the gateway has sent each subgraph so far (its subgraphs' calls to each other not counted). */
  requests: Readonly<Record<SubgraphName, number>>;
}

export interface CatalogGraphOptions {
  seed?: boolean;
  /** Gateway settings as environment variables (MAX_QUERY_DEPTH, HIDE_SUGGESTIONS, …); those for HTTP have no effect here. */
  gatewayEnv?: Record<string, string>;
}

export async function startCatalogGraph(options: CatalogGraphOptions = {}): Promise<CatalogGraph> {
  const config = gatewayConfig({ ...DEVELOPMENT_ENV, LOG_LEVEL: 'silent', RATE_LIMIT: 'off', ...options.gatewayEnv });
  const subgraphs = {} as Record<SubgraphName, LocalSubgraph>;
  // A subgraph's call to a peer, by the peer's URL, without a socket.
  const byUrl = new Map<string, SubgraphName>(SUBGRAPH_NAMES.map((name) => [LOCAL_PEER_URLS[name], name]));
  const peerFetch: PeerFetch = async (url, init) => {
    const name = byUrl.get(url);
    if (!name || !subgraphs[name]) throw new TypeError(`fetch failed: no subgraph at ${url}`);
    if (typeof init.body !== 'string') throw new TypeError('a peer call sends its body as JSON text');
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const answer = await subgraphs[name].answer(headers, JSON.parse(init.body) as GraphQLRequestBody);
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  try {
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        subgraphs[name] = await openLocalSubgraph(name, { seed: options.seed ?? true, peerFetch });
      }),
    );
  } catch (err) {
    await Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.close()));
    throw err;
  }

  const log = createLogger('gateway', 'silent');
  const requests = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, 0])) as Record<SubgraphName, number>;
  const savings: Savings = { shared_fetch: 0, collapsed_representations: 0, merged_fetch: 0 };
  const saved: SubgraphSavingObserver = ({ saving, count }) => {
    savings[saving] += count;
  };
  // gateway/server.ts's features that act on Apollo or on the subgraph fetch, in its order.
  const features: GatewayFeature[] = [
    errorPolicy(log, { hideSuggestions: config.hideSuggestions }),
    inputChecks(),
    queryLimits(config.queryLimits, log),
    collapsedRepresentations(saved),
    readRetries(config.subgraphFetch.retries),
    subgraphIdentity(config.subgraphSecret),
    sharedReads(saved),
    mergedReads(saved),
    localSubgraphs(subgraphs, requests),
  ];
  const { apollo } = await apolloOver({ supergraphSdl: composeSupergraph(LOCAL_PEER_URLS), introspection: config.introspection, log }, features);

  const stores = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs[name].store])) as Record<SubgraphName, Store<unknown>>;
  return {
    subgraphs,
    stores,
    async query<Data>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GraphQLResponse<Data>> {
      let identity: Identity;
      try {
        identity = identityFromHeaders(bearer(token), config.tokenKey);
      } catch (err) {
        const { message, extensions } = err as GraphQLError;
        return { status: 401, errors: [{ message, extensions: { code: extensions.code } }] };
      }
      const contextValue: GatewayContext = { identity };
      for (const hook of hooks(features, 'context')) await hook(contextValue);
      const response = await apollo.executeOperation<Data>({ query, variables }, { contextValue });
      if (response.body.kind !== 'single') throw new Error('the catalog graph answers single results only');
      return { status: response.http.status ?? 200, ...(response.body.singleResult as Omit<GraphQLResponse<Data>, 'status'>) };
    },
    token: testToken,
    subgraphQuery: (name, query, variables, identity) => subgraphs[name].execute(query, variables, identity),
    sqlStatements: () => SUBGRAPH_NAMES.reduce((sum, name) => sum + subgraphs[name].sqlStatements(), 0),
    savings,
    requests,
    async close() {
      await apollo.stop();
      for (const name of SUBGRAPH_NAMES) await subgraphs[name].close();
    },
  };
}
