import type { Context as TraceContext } from '@opentelemetry/api';
import type { Identity } from '../common/identity';

/**
 * What the gateway knows about one client request. Apollo Server receives it
 * as its context, so its plugins and every subgraph fetch made for the
 * request read the same object.
 */
export interface GatewayContext {
  /** The verified caller: anonymous without a token. */
  identity: Identity;
  /** The request's trace span, when tracing is on: subgraph fetch spans hang under it. */
  traceContext?: TraceContext;
  /** Correlates the gateway's and the subgraphs' log lines of one request. */
  requestId?: string;
  /** The response cache key an anonymous read was looked up under; its answer is stored under the same. */
  responseCacheKey?: string;
}
