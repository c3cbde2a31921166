/**
 * A gateway feature is one module that says which parts of a request it
 * takes part in, the way Hive Gateway's plugins declare their hooks
 * (onRequest, onContextBuilding, onFetch, onDispose). startGateway
 * (gateway/server.ts) lists the features in order; gateway/runtime.ts mounts
 * every hook of one kind in that order:
 *
 * 1. `routes`: the app's own paths and app-wide handlers (/health, /metrics,
 *    /console, the playground), before /graphql;
 * 2. `http`: handlers on /graphql in front of Apollo, then `httpError` after it;
 * 3. `context`, `apollo`, `plugins`, `supergraphLoaded`: Apollo Server and its
 *    request lifecycle;
 * 4. `queryPlan`: each operation's query plan, before it runs;
 * 5. `subgraphCall`, `subgraphPost`, `subgraphTransport`: each subgraph fetch,
 *    outermost first (gateway/fetch/layers.ts);
 * 6. `start` before the gateway listens, `shutdown` when it stops (last listed, first closed).
 */
import type { ApolloServerOptionsWithGateway, ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { CallLayer, PostLayer, SubgraphInfo, Transport } from '../fetch/layers';
import type { QueryPlan } from '../fetch/planAlignment';
import type { GatewayContext } from '../requestContext';

/** The Apollo Server options a feature may set; the later feature in the list wins. */
export type ApolloSettings = Pick<ApolloServerOptionsWithGateway<GatewayContext>, 'formatError' | 'persistedQueries' | 'parseOptions'>;

/** A supergraph the gateway has loaded (at start, and each time its file changes). */
export interface LoadedSupergraph {
  apiSchema: GraphQLSchema;
  coreSupergraphSdl: string;
  /** Every subgraph the gateway has a client for: its URL by name. The same map, kept up to date. */
  subgraphs: ReadonlyMap<string, string>;
}

export interface GatewayFeature {
  /** What it is, in the words of the list. */
  readonly name: string;
  /** Mounts its own paths, or handlers for every path, on the app (before /graphql). */
  routes?: (app: Router) => void;
  /** Handlers on /graphql in front of Apollo. Each may answer the request itself or pass it on. */
  http?: readonly RequestHandler[];
  /** Answers what a handler on /graphql failed with. */
  httpError?: ErrorRequestHandler;
  /** Runs as Apollo builds a request's context (Hive's onContextBuilding); throwing refuses the request. */
  context?: (context: GatewayContext) => void | Promise<void>;
  /** Apollo Server options it sets. */
  apollo?: ApolloSettings;
  /** Its part in Apollo's request lifecycle. */
  plugins?: readonly ApolloServerPlugin<GatewayContext>[];
  /** Told of every supergraph loaded (Hive's onSchemaChange). */
  supergraphLoaded?: (supergraph: LoadedSupergraph) => void;
  /**
   * Shown each operation's query plan before it runs (Apollo's
   * experimental_didResolveQueryPlan). The plan is Apollo's cached object:
   * a change made to it holds for every later run of the operation.
   */
  queryPlan?: (plan: QueryPlan) => void;
  /** Wraps each fetch of `subgraph` as a GraphQL request (Hive's onSubgraphExecute). */
  subgraphCall?: (subgraph: SubgraphInfo) => CallLayer;
  /** Wraps each POST to `subgraph` (Hive's onFetch). */
  subgraphPost?: (subgraph: SubgraphInfo) => PostLayer;
  /** Sends the POSTs to `subgraph`; exactly one feature gives it. */
  subgraphTransport?: (subgraph: SubgraphInfo) => Transport;
  /** Before the gateway listens (e.g. a listener of its own). */
  start?: () => Promise<void>;
  /** When the gateway stops, after Apollo has finished the requests in flight. */
  shutdown?: () => Promise<void>;
}
