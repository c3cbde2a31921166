import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { injectTraceContext, spanContext } from '../../common/tracing';
import type { GatewayContext } from '../requestContext';
import type { CallLayer, SubgraphInfo } from './layers';

/**
 * A client span per subgraph fetch, under the request's span, carried to the
 * subgraph in the W3C traceparent header; failed fetches mark it failed.
 */
export function spanLayer(subgraph: SubgraphInfo, tracer: Tracer): CallLayer {
  return async (call, next) => {
    const traceContext = (call.options.context as Partial<GatewayContext>).traceContext;
    if (!traceContext) return next(call);
    const span = tracer.startSpan(`subgraph ${subgraph.name}`, { kind: SpanKind.CLIENT }, traceContext);
    const headers: Record<string, string> = { ...call.headers };
    injectTraceContext(spanContext(span), { set: (name, value) => (headers[name] = value) });
    try {
      return await next({ ...call, headers });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  };
}
