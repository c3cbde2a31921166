// The composed graph in the test's own process, with no HTTP: the real
// ApolloGateway over the supergraph composed from schema/, and each subgraph
// local (localSubgraph.ts: its real server, context and store on PGlite in
// memory, seeded with the demo catalog). The gateway's fetches and the
// subgraphs' calls to each other go to the subgraphs' executeOperation, with
// the identity header signed and verified as over HTTP.
//
// The gateway's Apollo plugins run as gateway/server.ts orders them (NUL
// text, downstream error paths, query limits) with its error formatting.
// What gateway/server.ts puts in front of Apollo in express (rate limits, body
// limits, the response cache, document limits) and its HTTP fetch layer
// (timeouts, retries, shared and merged fetches) need real sockets: the
// end-to-end suites test those (catalogHarness.ts).
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Store } from '../../common/database';
import { ANONYMOUS, DEV_AUTH_SECRET, IDENTITY_HEADER, IdentitySigner, type Identity, type Role } from '../../common/identity';
import { mintToken } from '../../common/localTokens';
import type { PeerFetch } from '../../common/subgraphClient';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../common/topology';
import { identityFromHeaders } from '../../gateway/bearerToken';
import { gatewayConfig } from '../../gateway/config';
import { downstreamErrorPathsPlugin, fieldOwners, type FieldOwners } from '../../gateway/downstreamErrorPaths';
import { gatewayErrorFormatter } from '../../gateway/errorPolicy';
import { nulTextPlugin } from '../../gateway/inputChecks';
import { queryLimitsPlugin } from '../../gateway/queryLimits';
import type { GatewayContext } from '../../gateway/subgraphDataSource';
import { composeSupergraph } from '../../gateway/supergraph';
import { DEVELOPMENT_ENV } from './developmentSecrets';
import { bearer, type GraphQLRequestBody, type GraphQLResponse } from './graphqlHttp';
import { LOCAL_PEER_URLS, openLocalSubgraph, type LocalSubgraph } from './localSubgraph';

/** The gateway's data source for a local subgraph: the caller's identity as a signed header, the answer as the subgraph gave it. */
class LocalSubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly signer: IdentitySigner;

  constructor(
    private readonly subgraph: LocalSubgraph,
    secret: string,
  ) {
    this.signer = new IdentitySigner(secret, subgraph.name);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const identity = (options.context as Partial<GatewayContext>).identity ?? ANONYMOUS;
    const answer = await this.subgraph.answer(
      { [IDENTITY_HEADER]: this.signer.sign(identity) },
      { query: request.query, variables: request.variables, operationName: request.operationName },
    );
    return answer.body as GatewayGraphQLResponse;
  }
}

export interface CatalogGraph {
  subgraphs: Record<SubgraphName, LocalSubgraph>;
  stores: Record<SubgraphName, Store<unknown>>;
  /** Runs an operation through the gateway, as anonymous or with a bearer token. */
  query<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Data>>;
  token(sub: string, roles: Role[], options?: { platform?: string; ttlSeconds?: number }): string;
  /** Sends an operation straight to one subgraph as `identity` (as a peer subgraph calls it). */
  subgraphQuery<Data = Record<string, unknown>>(
    name: SubgraphName,
    query: string,
    variables: Record<string, unknown>,
    identity: Identity,
  ): Promise<GraphQLResponse<Data>>;
  /** SQL statements sent so far by all three subgraphs. */
  sqlStatements(): number;
  close(): Promise<void>;
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

  const gateway = new ApolloGateway({
    supergraphSdl: composeSupergraph(LOCAL_PEER_URLS),
    buildService: ({ name }) => new LocalSubgraphDataSource(subgraphs[name as SubgraphName], config.subgraphSecret),
  });
  let apiSchema: GraphQLSchema | null = null;
  let owners: FieldOwners | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema, coreSupergraphSdl }) => {
    apiSchema = schema;
    owners = fieldOwners(coreSupergraphSdl);
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: gatewayErrorFormatter(() => undefined, { hideSuggestions: config.hideSuggestions }),
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    parseOptions: { maxTokens: config.documentLimits.maxTokens },
    plugins: [
      nulTextPlugin(),
      downstreamErrorPathsPlugin(
        () => apiSchema,
        () => owners,
      ),
      queryLimitsPlugin(config.queryLimits),
    ],
  });
  await apollo.start();

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
      const response = await apollo.executeOperation<Data>({ query, variables }, { contextValue: { identity } });
      if (response.body.kind !== 'single') throw new Error('the catalog graph answers single results only');
      return { status: response.http.status ?? 200, ...(response.body.singleResult as Omit<GraphQLResponse<Data>, 'status'>) };
    },
    token: (sub, roles, tokenOptions = {}) =>
      mintToken({ sub, roles, platform: tokenOptions.platform ?? null }, DEV_AUTH_SECRET, tokenOptions.ttlSeconds ?? 3600),
    subgraphQuery: (name, query, variables, identity) => subgraphs[name].execute(query, variables, identity),
    sqlStatements: () => SUBGRAPH_NAMES.reduce((sum, name) => sum + subgraphs[name].sqlStatements(), 0),
    async close() {
      await apollo.stop();
      for (const name of SUBGRAPH_NAMES) await subgraphs[name].close();
    },
  };
}
