/**
 * How a subgraph's answer becomes what Apollo's gateway expects of a data
 * source: a GraphQL response, or an error in the shape @apollo/gateway gives
 * it. This is where the call layers meet the post layers.
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, parse, type DocumentNode } from 'graphql';
import { ErrorCode } from '../../common/errors';
import type { GatewayContext } from '../requestContext';
import type { SubgraphAnswer, SubgraphCall, SubgraphInfo, SubgraphPost } from './layers';

/**
 * A subgraph that cannot be reached (refused, reset, timed out) fails with
 * Apollo's DOWNSTREAM_SERVICE_ERROR shape naming the subgraph; the
 * underlying message, which holds its internal URL, stays in the log.
 */
export function unreachable(subgraph: string, error: Error): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const timedOut = error.name === 'TimeoutError' || /timeout|timed out|aborted/i.test(error.message);
  return new GraphQLError(timedOut ? `The ${subgraph} subgraph did not answer in time.` : `The ${subgraph} subgraph could not be reached.`, {
    originalError: error,
    extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: subgraph },
  });
}

/**
 * An HTTP error from a subgraph, shaped as @apollo/gateway shapes it
 * ("<status>: <text>", the response under extensions.response), with one
 * exception: a subgraph answers 400 when a variable fails its scalar's
 * parsing (a Decimal with three decimals, a malformed DateTime), which the
 * gateway passed on because it cannot know those rules. That is the
 * client's mistake, so its BAD_USER_INPUT message reaches the client.
 * A 401 or 403 is the gateway's own problem with the subgraph: it becomes
 * DOWNSTREAM_SERVICE_ERROR naming the subgraph, and nothing more.
 *
 * Rebuilt rather than taken from RemoteGraphQLDataSource.errorFromResponse,
 * which reads a fetch Response; this transport has the answer as text.
 */
export function errorFromAnswer(subgraph: SubgraphInfo, answer: SubgraphAnswer): GraphQLError {
  let body: unknown = answer.text;
  try {
    body = JSON.parse(answer.text);
  } catch {
    // not JSON: kept as text
  }
  if (answer.status === 400) {
    const first = (body as { errors?: { message?: string; extensions?: { code?: string } }[] } | null)?.errors?.[0];
    if (first?.extensions?.code === ErrorCode.BAD_USER_INPUT && typeof first.message === 'string') {
      return new GraphQLError(first.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
    }
  }
  if (answer.status === 401 || answer.status === 403) {
    // The subgraph refused the gateway itself (secrets that differ between
    // them, a proxy's policy): nothing the client did or can fix. It sees
    // which subgraph failed, never its URL or answer; those go to the log.
    const detail = new Error(`${answer.status} ${answer.statusText} from ${subgraph.url}: ${answer.text.slice(0, 500)}`);
    return new GraphQLError(`The ${subgraph.name} subgraph refused the gateway's request.`, {
      originalError: detail,
      extensions: { code: ErrorCode.DOWNSTREAM_SERVICE_ERROR, serviceName: subgraph.name },
    });
  }
  return new GraphQLError(`${answer.status}: ${answer.statusText}`, {
    extensions: { response: { url: subgraph.url, status: answer.status, statusText: answer.statusText, body } },
  });
}

/**
 * Cache-Control of a subgraph answer, as @apollo/gateway reads it: max-age,
 * and private or public scope. Its own parser (parseCacheControlHeader) is
 * not exported by @apollo/gateway, so the same rule is written here.
 */
export function cacheHint(header: string | null): { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } {
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
  for (const directive of (header ?? '').split(',')) {
    const [name, value] = directive.trim().toLowerCase().split('=');
    if (name === 'max-age' && value && /^\d+$/.test(value)) hint.maxAge = Number(value);
    else if (name === 'private') hint.scope = 'PRIVATE';
    else if (name === 'public') hint.scope = 'PUBLIC';
  }
  return hint;
}

/**
 * The bottom of the call layers: the call as a POST (the gateway's own
 * headers, then those the layers added), sent down the post layers, and the
 * answer read: an HTTP error or an answer that is no JSON object fails in
 * Apollo's shape; a good one restricts the operation's cache policy by the
 * subgraph's Cache-Control, as @apollo/gateway does.
 */
export function answerReader(subgraph: SubgraphInfo, post: (post: SubgraphPost) => Promise<SubgraphAnswer>) {
  return async (call: SubgraphCall): Promise<GatewayGraphQLResponse> => {
    const { options } = call;
    const { request } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = {};
    // What the gateway itself asks for (e.g. apollo-federation-include-trace).
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    Object.assign(headers, call.headers);
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    let answer: SubgraphAnswer;
    try {
      answer = await post({ call, headers, body });
    } catch (error) {
      throw unreachable(subgraph.name, error as Error);
    }
    if (answer.status < 200 || answer.status > 299) throw errorFromAnswer(subgraph, answer);
    let parsed: unknown = answer.parsed;
    if (parsed === undefined) {
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        parsed = null;
      }
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw unreachable(subgraph.name, new Error(`Expected a JSON object from the ${subgraph.name} subgraph, got: ${answer.text.slice(0, 200)}`));
    }
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy as { restrict?(hint: ReturnType<typeof cacheHint>): void } | undefined;
      policy?.restrict?.(cacheHint(answer.cacheControl));
    }
    return parsed as GatewayGraphQLResponse;
  };
}

// Names where in the client's response the failed subgraph's data would have
// gone, so a partial answer says which part is missing.
function safeParse(query: string | undefined): DocumentNode | undefined {
  try {
    return query ? parse(query) : undefined;
  } catch {
    return undefined;
  }
}

/** A failed fetch's error with the path it stands for; a root fetch has no path of its own: its first root field stands for it. */
export function withPath(error: unknown, options: GraphQLDataSourceProcessOptions<GatewayContext>): unknown {
  if (!(error instanceof GraphQLError) || error.path) return error;
  let path = 'pathInIncomingRequest' in options ? options.pathInIncomingRequest : undefined;
  if (!path?.length) {
    // Only on this failure path: the fetch's own text, parsed.
    const document = ('document' in options ? options.document : undefined) ?? safeParse(options.request.query);
    const operation = document?.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    const first = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet.selections[0] : undefined;
    path = first?.kind === Kind.FIELD ? [first.alias?.value ?? first.name.value] : undefined;
  }
  if (!path?.length) return error;
  return new GraphQLError(error.message, { path, originalError: error.originalError ?? undefined, extensions: error.extensions });
}
