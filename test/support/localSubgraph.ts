// One subgraph in the test's own process: its real store (PGlite in memory by
// default, migrated and seeded with the demo catalog), its real Apollo
// Server and context factory, and no HTTP. Operations run through
// `server.executeOperation`; the identity header is signed and verified as
// over HTTP, so a subgraph answers here exactly what it answers on its port.
// A module's background work (the products subgraph taking the certified
// copy at start) is not begun: the first request that needs it does it.
import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import type { Store, StoreLocation } from '../../common/database';
import { ErrorCode } from '../../common/errors';
import { ANONYMOUS, IDENTITY_HEADER, signIdentity, subgraphSecret, verifyIdentity, type Identity } from '../../common/identity';
import { createLogger } from '../../common/logging';
import type { PeerFetch } from '../../common/subgraphClient';
import type { SubgraphModule, SubgraphProcessConfig } from '../../common/subgraphProcess';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../common/topology';
import { certificationSubgraph } from '../../subgraphs/certification/server';
import { productsSubgraph } from '../../subgraphs/products/server';
import { suppliersSubgraph } from '../../subgraphs/suppliers/server';
import { DEVELOPMENT_ENV } from './developmentSecrets';
import type { GraphQLRequestBody, GraphQLResponse } from './graphqlHttp';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each subgraph has its own client and context types
export type AnySubgraphModule = SubgraphModule<any, any>;

/** A fresh module of each subgraph (its process-wide state, such as the products subgraph's supplier directory, included). */
export function subgraphModule(name: SubgraphName): AnySubgraphModule {
  if (name === 'products') return productsSubgraph({});
  if (name === 'suppliers') return suppliersSubgraph;
  return certificationSubgraph({});
}

/** Where a local subgraph's peers are, as far as its clients know: the in-process graph routes these URLs. */
export const LOCAL_PEER_URLS = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://${name}.in-process/graphql`])) as Record<SubgraphName, string>;

/** What an HTTP request to the subgraph would have been answered. */
export interface LocalAnswer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] };
  cacheControl: string | null;
}

export interface LocalSubgraph {
  name: SubgraphName;
  store: Store<unknown>;
  server: ApolloServer<object>;
  config: SubgraphProcessConfig;
  /** Answers one request as POST /graphql would: the identity header is verified first (401 without a valid one). */
  answer(headers: Record<string, string>, body: GraphQLRequestBody): Promise<LocalAnswer>;
  /** Runs an operation as `identity`, with a header signed as the gateway signs it. */
  execute<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    identity?: Identity,
  ): Promise<GraphQLResponse<Data> & { cacheControl: string | null }>;
  /** SQL statements this subgraph's store has sent so far. */
  sqlStatements(): number;
  close(): Promise<void>;
}

export interface LocalSubgraphOptions {
  /** Seed the demo catalog (default true). */
  seed?: boolean;
  /** Default PGlite in memory. */
  store?: StoreLocation;
  /**
   * How the subgraph's calls to its peers are answered. Without it a peer
   * call fails at once, naming the peer: per-subgraph tests use operations
   * that need no other subgraph.
   */
  peerFetch?: PeerFetch;
}

const noPeers: PeerFetch = (url) => Promise.reject(new TypeError(`fetch failed: no peer subgraph runs in this test (${url})`));

/** Opens the subgraph's store (migrated, seeded) and builds its server; nothing listens. */
export async function openLocalSubgraph(name: SubgraphName, options: LocalSubgraphOptions = {}): Promise<LocalSubgraph> {
  const module = subgraphModule(name);
  const secret = subgraphSecret(DEVELOPMENT_ENV);
  const config: SubgraphProcessConfig = {
    host: '127.0.0.1',
    port: 0,
    peers: LOCAL_PEER_URLS,
    store: options.store ?? { kind: 'memory' },
    seedDemoData: options.seed ?? true,
    secret,
    developmentSecrets: [],
    cacheMaxAgeSeconds: { products: 60, suppliers: 300, certification: 60 }[name],
    shutdownGraceMs: 0,
    log: createLogger(name, 'silent'),
    tracing: null,
    peerFetch: options.peerFetch ?? noPeers,
  };
  const store = (await module.openStore(config.store)) as Store<unknown>;
  let server: ApolloServer<object>;
  try {
    if (module.prepare) await module.prepare(store, config);
    if (config.seedDemoData) await module.seedIfEmpty(store);
    server = module.buildServer(config) as ApolloServer<object>;
    await server.start();
  } catch (err) {
    await store.close();
    throw err;
  }

  const answer = async (headers: Record<string, string>, body: GraphQLRequestBody): Promise<LocalAnswer> => {
    let identity: Identity;
    try {
      identity = verifyIdentity(headers[IDENTITY_HEADER], secret, name);
    } catch (err) {
      return { status: 401, body: { errors: [{ message: (err as Error).message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }, cacheControl: null };
    }
    // The context factories read nothing of the request but its identity.
    const request = { headers } as unknown as express.Request;
    const contextValue = (await module.createContext(store, identity, config, request)) as object;
    const response = await server.executeOperation(
      { query: body.query, variables: body.variables, operationName: body.operationName, extensions: body.extensions },
      { contextValue },
    );
    if (response.body.kind !== 'single') throw new Error(`${name}: incremental delivery is not used between the gateway and the subgraphs`);
    return {
      status: response.http.status ?? 200,
      body: response.body.singleResult as LocalAnswer['body'],
      cacheControl: response.http.headers.get('cache-control') ?? null,
    };
  };

  return {
    name,
    store,
    server,
    config,
    answer,
    async execute<Data>(query: string, variables: Record<string, unknown> = {}, identity: Identity = ANONYMOUS) {
      const { status, body, cacheControl } = await answer({ [IDENTITY_HEADER]: signIdentity(identity, secret, name) }, { query, variables });
      // As a client reads the JSON: `data` absent, null or set, exactly as answered.
      return { status, ...(body as Omit<GraphQLResponse<Data>, 'status'>), cacheControl };
    },
    sqlStatements: () => store.statements.value,
    async close() {
      await server.stop();
      await store.close();
    },
  };
}
