import { createTracing, tracingPlugin } from '../../common/tracing';
import { spanLayer } from '../fetch/spans';
import type { GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

/**
 * OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT is set: a server span
 * per GraphQL request, continuing the caller's trace, and under it a client
 * span per subgraph fetch, carried on to the subgraph. Unset, nothing.
 */
export function tracing(otlpEndpoint: string | null): GatewayFeature {
  const traces = otlpEndpoint ? createTracing('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint }) : null;
  if (!traces) return { name: 'tracing (off)' };
  return {
    name: 'tracing',
    plugins: [
      tracingPlugin<GatewayContext>(traces, 'gateway request', (contextValue, traceContext) => {
        contextValue.traceContext = traceContext;
      }),
    ],
    subgraphCall: (subgraph) => spanLayer(subgraph, traces.tracer),
    shutdown: () => traces.shutdown(),
  };
}
