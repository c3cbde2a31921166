import type { IncomingMessage } from 'node:http';
import type { Context as TraceContext } from '@opentelemetry/api';
import { ANONYMOUS, type Identity } from '../common/identity';

/**
 * What the gateway knows about one client request, made once per request by
 * its first handler and filled in by the features as the request passes them:
 * the request id, the verified caller, the response cache key. Apollo Server
 * receives it as its context, so its plugins and every subgraph fetch made for
 * the request read the same object; nothing is relayed through `res.locals`.
 */
export interface GatewayContext {
  /** The verified caller: anonymous without a token, and until the token is verified. */
  identity: Identity;
  /** The request's trace span, when tracing is on: subgraph fetch spans hang under it. */
  traceContext?: TraceContext;
  /** Correlates the gateway's and the subgraphs' log lines of one request. */
  requestId?: string;
  /** The response cache key an anonymous read was looked up under; its answer is stored under the same. */
  responseCacheKey?: string;
}

// Per request object, so that it goes when the request does.
const contexts = new WeakMap<IncomingMessage, GatewayContext>();

/** The context of the request `req`, made on first use. */
export function requestContext(req: IncomingMessage): GatewayContext {
  let context = contexts.get(req);
  if (!context) {
    context = { identity: ANONYMOUS };
    contexts.set(req, context);
  }
  return context;
}
