import type { ApolloServerPlugin } from '@apollo/server';
import {
  context as otelContext,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { envString, envUrl } from './environment';
import { errorCode } from './errors';

type Env = Record<string, string | undefined>;

export interface Tracing {
  tracer: Tracer;
  /** Sends what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

/**
 * OpenTelemetry traces over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set (spans go to <endpoint>/v1/traces), else none. Contexts are passed by
 * hand, not through async hooks, so an unset endpoint costs nothing.
 */
export function createTracing(service: string, env: Env): Tracing | null {
  const endpoint = envUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']);
  if (!endpoint) return null;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': envString(env, 'OTEL_SERVICE_NAME_PREFIX', 'relief-goods-graph-') + service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }), { scheduledDelayMillis: 1000 })],
  });
  return { tracer: provider.getTracer('relief-goods-graph'), shutdown: () => provider.shutdown() };
}

/** The W3C traceparent of a span, for the request that carries it to another service. */
export function injectTraceContext(parent: Context, headers: { set(name: string, value: string): void }): void {
  const carrier: Record<string, string> = {};
  propagator.inject(parent, carrier, defaultTextMapSetter);
  for (const [name, value] of Object.entries(carrier)) headers.set(name, value);
}

export function spanContext(span: Span, parent: Context = ROOT_CONTEXT): Context {
  return trace.setSpan(parent, span);
}

/** Where an incoming request's trace continues: the caller's traceparent, if it sent one. */
export function extractTraceContext(headers: { get(name: string): string | undefined | null }): Context {
  return propagator.extract(ROOT_CONTEXT, headers, {
    ...defaultTextMapGetter,
    get: (carrier: typeof headers, key) => carrier.get(key) ?? undefined,
    keys: () => ['traceparent', 'tracestate'],
  });
}

/**
 * One server span per GraphQL request, continuing the caller's trace; the
 * span's context is handed to `remember` so fetches made for the request can
 * hang their spans under it.
 */
export function tracingPlugin<Context extends object>(
  tracing: Tracing,
  spanName: string,
  remember?: (contextValue: Context, traceContext: ReturnType<typeof spanContext>) => void,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const parent = request.http ? extractTraceContext(request.http.headers) : otelContext.active();
      const span = tracing.tracer.startSpan(spanName, { kind: SpanKind.SERVER }, parent);
      remember?.(contextValue, spanContext(span, parent));
      return {
        async willSendResponse({ operationName, operation, errors }) {
          span.setAttribute('graphql.operation.name', operationName ?? 'anonymous');
          if (operation) span.setAttribute('graphql.operation.type', operation.operation);
          if (errors?.length) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode(errors[0], 'ERROR') });
          }
          span.end();
        },
      };
    },
  };
}
