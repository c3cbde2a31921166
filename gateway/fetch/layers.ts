/**
 * A subgraph fetch goes down two stacks of layers, each a function of the
 * fetch and the rest of the stack (`next`), so each can be tried alone with a
 * fake `next`:
 *
 * - call layers see the GraphQL request Apollo's query planner made and the
 *   parsed response (or the error) it gets back: trace span, collapsed
 *   representations, retries, timings, the caller's identity;
 * - post layers see the HTTP POST and the subgraph's answer as text: shared
 *   reads, merged reads, and at the bottom the transport.
 *
 * Between them, subgraphAnswer.ts reads an answer as a response or an error
 * (as Apollo's RemoteGraphQLDataSource does after its fetch).
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../requestContext';

/** One subgraph as the supergraph names it. */
export interface SubgraphInfo {
  name: string;
  url: string;
}

/** A fetch as the query planner asked for it, with what the layers above added. */
export interface SubgraphCall {
  /** Apollo's own description of the fetch: the request, the client request's context and, for an operation, its request context. */
  readonly options: GraphQLDataSourceProcessOptions<GatewayContext>;
  /** A read: retried, shared and merged. A mutation never is: repeating a write that may have been applied could apply it twice. */
  readonly read: boolean;
  /** Headers the layers add to the POST (identity, request id, trace context). */
  readonly headers: Readonly<Record<string, string>>;
}

/** The POST that carries a call to the subgraph. */
export interface SubgraphPost {
  readonly call: SubgraphCall;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a subgraph answered, kept as text so that every request that shares
 * the fetch parses its own copy: the gateway merges entity data into the
 * objects it receives, so two operations must never hold the same objects.
 */
export interface SubgraphAnswer {
  status: number;
  statusText: string;
  /** The Cache-Control header, which caps how long the gateway may cache the operation. */
  cacheControl: string | null;
  text: string;
  /** The answer already parsed (one member's part of a merged request); then `text` is not read. */
  parsed?: object;
}

export type Layer<Input, Output> = (input: Input, next: (input: Input) => Promise<Output>) => Promise<Output>;

export type CallLayer = Layer<SubgraphCall, GatewayGraphQLResponse>;
export type PostLayer = Layer<SubgraphPost, SubgraphAnswer>;

/** Sends a POST and returns the answer: the bottom of the post layers. */
export interface Transport {
  send(post: SubgraphPost): Promise<SubgraphAnswer>;
  /** Closes idle connections (when the gateway stops). */
  close(): void;
}

/**
 * Work a subgraph was spared: a fetch that joined an identical one in flight,
 * repeated representations sent once, or fetches merged into another one.
 */
export interface SubgraphSavingObserver {
  (event: { subgraph: string; saving: 'shared_fetch' | 'collapsed_representations' | 'merged_fetch'; count: number }): void;
}

/** `layers` around `last`, the first outermost. */
export function compose<Input, Output>(layers: readonly Layer<Input, Output>[], last: (input: Input) => Promise<Output>): (input: Input) => Promise<Output> {
  return layers.reduceRight<(input: Input) => Promise<Output>>((next, layer) => (input) => layer(input, next), last);
}

/** A subgraph fetch is a read unless it is a mutation. */
export function isRead(query: string | undefined): boolean {
  return !/^\s*mutation\b/.test(query ?? '');
}
