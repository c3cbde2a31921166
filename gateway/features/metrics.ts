import { createServer } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import express, { type RequestHandler } from 'express';
import { OperationTypeNode } from 'graphql';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCode, errorCode, PUBLIC_ERROR_CODES } from '../../common/errors';
import type { Logger } from '../../common/logging';
import { listen, type RunningServer } from '../../common/subgraphServer';
import type { MetricsConfig } from '../config';
import type { SubgraphSavingObserver } from '../fetch/layers';
import { timingLayer, type SubgraphFetchObserver } from '../fetch/timing';
import type { GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

// Error codes as labels: ours and Apollo Server's are a closed set; a code
// some other layer made up (or a client's input echoed in one) is not.
const LABELLED_CODES = new Set<string>([
  ...PUBLIC_ERROR_CODES,
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

function codeLabel(code: string): string {
  return LABELLED_CODES.has(code) ? code : OTHER_OPERATION;
}

/**
 * GET /metrics, with `Authorization: Bearer <token>` when a token is set
 * (compared in constant time); 401 otherwise.
 */
export function metricsHandler(registry: Registry, token: string | null): RequestHandler {
  const expected = token === null ? null : createHash('sha256').update(token).digest();
  return async (req, res) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1] ?? '';
      if (!timingSafeEqual(createHash('sha256').update(given).digest(), expected)) {
        res.status(401).setHeader('www-authenticate', 'Bearer').type('text/plain').send('metrics need the bearer token (METRICS_TOKEN)\n');
        return;
      }
    }
    res.type(registry.contentType).send(await registry.metrics());
  };
}

/** The label of operations that are neither in the manifest nor in the contract. */
export const OTHER_OPERATION = 'other';

/** The gateway's Prometheus metrics, served on GET /metrics. */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by operation name and outcome code (OK when there was no error).',
    labelNames: ['operation', 'code'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors by operation name and extensions.code.',
    labelNames: ['operation', 'code'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response, by operation name.',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly subgraphLatency = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Duration of each fetch the gateway makes to a subgraph.',
    labelNames: ['subgraph'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly subgraphErrors = new Counter({
    name: 'subgraph_fetch_errors_total',
    help: 'Subgraph fetches that failed (unreachable, timed out, HTTP error).',
    labelNames: ['subgraph'],
    registers: [this.registry],
  });
  private readonly subgraphSavings = new Counter({
    name: 'subgraph_work_saved_total',
    help: 'Subgraph work avoided, by subgraph and kind: shared_fetch (a read that joined an identical one in flight) or collapsed_representations (repeated entity representations sent once).',
    labelNames: ['subgraph', 'saving'],
    registers: [this.registry],
  });
  private readonly cacheLookups = new Counter({
    name: 'response_cache_lookups_total',
    help: 'Response cache lookups of anonymous reads, by result (hit or miss).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by the rate limiter, by role.',
    labelNames: ['role'],
    registers: [this.registry],
  });

  /**
   * `knownOperations`: the names that may become labels (the persisted query
   * manifest's and the contract's). Any client can name its operation
   * anything, and every new label value is a new series held for the life of
   * the process and sent with every scrape.
   */
  constructor(private readonly knownOperations: ReadonlySet<string> = new Set()) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The label of an operation name: the name when known, `anonymous` without one, else `other`. */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    return this.knownOperations.has(name) ? name : OTHER_OPERATION;
  }

  readonly observeSubgraphFetch: SubgraphFetchObserver = ({ subgraph, seconds, outcome }) => {
    this.subgraphLatency.observe({ subgraph }, seconds);
    if (outcome === 'error') this.subgraphErrors.inc({ subgraph });
  };

  readonly observeSubgraphSaving: SubgraphSavingObserver = ({ subgraph, saving, count }) => {
    this.subgraphSavings.inc({ subgraph, saving }, count);
  };

  /** A request the response cache answered before it reached Apollo Server: counted and logged like the others. */
  cacheHit(log: Logger, hit: { operationName: string | null; ms: number }, requestId: string | undefined): void {
    const operation = this.operationLabel(hit.operationName);
    this.requests.inc({ operation, code: 'OK' });
    this.latency.observe({ operation }, hit.ms / 1000);
    this.cacheLookups.inc({ result: 'hit' });
    log.info({
      requestId,
      operation: (hit.operationName ?? 'anonymous').slice(0, 100),
      kind: 'query',
      ms: Math.round(hit.ms),
      cache: 'hit',
      actor: 'anonymous',
    });
  }

  rateLimitRejected(role: string): void {
    this.rateLimited.inc({ role });
  }

  /** Counts requests, errors, latency and cache results; logs one line per request. */
  plugin(log: Logger): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => {
        const started = process.hrtime.bigint();
        return {
          willSendResponse: async (context) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            const name = context.operationName ?? context.request.operationName ?? 'anonymous';
            const operation = this.operationLabel(context.operationName ?? context.request.operationName);
            // Codes come from the gateway's closed registry or Apollo's own; anything else counts as internal.
            const codes = (context.errors ?? []).map((error) => errorCode(error, ErrorCode.INTERNAL_SERVER_ERROR));
            for (const code of codes) this.errors.inc({ operation, code: codeLabel(code) });
            this.requests.inc({ operation, code: codes[0] ? codeLabel(codes[0]) : 'OK' });
            this.latency.observe({ operation }, seconds);
            // Hits are answered before Apollo (see cacheHit): a query the cache was consulted for is a miss here.
            const missed = context.contextValue.responseCacheKey !== undefined && context.operation?.operation === OperationTypeNode.QUERY;
            if (missed) this.cacheLookups.inc({ result: 'miss' });
            log.info({
              requestId: context.contextValue.requestId,
              operation: name.slice(0, 100),
              kind: context.operation?.operation,
              ms: Math.round(seconds * 1000),
              errors: codes.length ? codes : undefined,
              cache: missed ? 'miss' : undefined,
              actor: context.contextValue.identity?.sub,
            });
          },
        };
      },
    };
  }
}

/**
 * GET /metrics: on the public port (see MetricsConfig), or alone on
 * METRICS_HOST:METRICS_PORT (127.0.0.1 by default), for a scraper inside the network.
 */
export function metricsEndpoint(metrics: GatewayMetrics, config: MetricsConfig): GatewayFeature & { readonly url: string | null } {
  let server: RunningServer | null = null;
  return {
    name: 'metrics endpoint',
    get url() {
      return server?.url ?? null;
    },
    // Not on the public port in production unless behind METRICS_TOKEN; see MetricsConfig.
    routes: (app) => {
      if (config.onPublicPort) app.get('/metrics', metricsHandler(metrics.registry, config.token));
    },
    start: async () => {
      if (config.port === null) return;
      const app = express();
      app.disable('x-powered-by');
      app.get('/metrics', metricsHandler(metrics.registry, config.token));
      server = await listen(createServer(app), config.host, config.port, '/metrics', async () => undefined, 1000);
    },
    shutdown: async () => {
      await server?.close();
    },
  };
}

/** Each GraphQL request counted, timed and logged in one line (see GatewayMetrics.plugin). */
export function requestMetrics(metrics: GatewayMetrics, log: Logger): GatewayFeature {
  return { name: 'request metrics', plugins: [metrics.plugin(log)] };
}

/** Each attempt of each subgraph fetch timed, and its failures counted (inside the retries). */
export function subgraphTimings(metrics: GatewayMetrics): GatewayFeature {
  return { name: 'subgraph timings', subgraphCall: (subgraph) => timingLayer(subgraph, metrics.observeSubgraphFetch) };
}
