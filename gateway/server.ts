import { developmentSecretWarning } from '../common/identity';
import { createLogger, type Logger } from '../common/logging';
import type { GatewayConfig } from './config';
import { defaultContractDir, readContractOperations } from './contractDocuments';
import { cors } from './features/cors';
import { documentLimits } from './features/documentLimits';
import { errorPolicy } from './features/errorPolicy';
import { inputChecks } from './features/inputChecks';
import { GatewayMetrics, metricsEndpoint, requestMetrics, subgraphTimings } from './features/metrics';
import { persistedQueries } from './features/persistedQueries';
import { playground } from './features/playground';
import { queryLimits } from './features/queryLimits';
import { rateLimit } from './features/rateLimit';
import { health, readiness } from './features/readiness';
import { requestBody } from './features/requestBody';
import { requestIdentity } from './features/requestIdentity';
import { requestIds } from './features/requestIds';
import { responseCache } from './features/responseCache';
import { staffConsole } from './features/staffConsole';
import { tracing } from './features/tracing';
import type { GatewayFeature } from './features/types';
import { mergedReads } from './fetch/fetchBatching';
import { subgraphIdentity } from './fetch/identity';
import { collapsedRepresentations } from './fetch/representations';
import { readRetries } from './fetch/retry';
import { sharedReads } from './fetch/sharedFetches';
import { keepAliveConnections } from './fetch/transport';
import { identityResolver, oidcTokenVerifier } from './oidcTokens';
import { connectRedis } from './redisConnection';
import { runGateway, type RunningGateway } from './runtime';
import { supergraphOf } from './supergraphSource';
import { knownOperationNames } from './trustedDocuments';

export interface GatewayOptions {
  /** The contract: operations preloaded in the playground and named in metrics; default ../shared/contract. */
  contractDir?: string;
  /** Replaces the JSON logger (tests pass a silent one). */
  logger?: Logger;
}

export interface StartedGateway extends RunningGateway {
  metrics: GatewayMetrics;
  /** GET /metrics on its own listener, when METRICS_PORT is set. */
  metricsUrl: string | null;
}

/**
 * The gateway: what it shares (logger, metrics, Redis, the OpenID verifier),
 * then its features in the order a request meets them (features/types.ts
 * says how each kind of hook is mounted).
 */
export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<StartedGateway> {
  const log = options.logger ?? createLogger('gateway', config.logLevel);
  const warning = developmentSecretWarning(config.developmentSecrets);
  if (warning) log.warn(warning);
  const contract = readContractOperations(options.contractDir ?? defaultContractDir());
  const metrics = new GatewayMetrics(knownOperationNames(config.persistedQueryManifest, contract));
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, (err) => log.warn({ msg: 'redis error', err: err.message }), { commandTimeoutMs: config.redisTimeoutMs })
    : null;
  const oidcVerifier = config.oidcTokens ? oidcTokenVerifier(config.oidcTokens) : null;
  const saved = metrics.observeSubgraphSaving;
  const metricsListener = metricsEndpoint(metrics, config.metrics);

  const features: GatewayFeature[] = [
    // Every path: an id per request, the probes, metrics, the console and the playground.
    requestIds(),
    health(),
    readiness(config.subgraphSecret),
    metricsListener,
    staffConsole(config.console, config.tokenKey, oidcVerifier),
    playground(config.playground ? contract : null, { production: config.production }),
    // Around each GraphQL request: its trace, and what clients see of errors
    // (before the response cache, whose version bump reads the error paths it rewrites).
    tracing(config.otlpEndpoint),
    errorPolicy(log, { hideSuggestions: config.hideSuggestions }),
    // /graphql in front of Apollo.
    cors(config.corsOrigins),
    requestIdentity(identityResolver(config.tokenKey, oidcVerifier, config.oidcTokens?.issuer ?? null)),
    rateLimit(config.rateLimit, { log, redis, timeoutMs: config.redisTimeoutMs, onRejected: (role) => metrics.rateLimitRejected(role) }),
    requestBody(config.maxBodyBytes, config.maxAnonymousBodyBytes),
    inputChecks(),
    responseCache({
      enabled: config.responseCache,
      redis,
      keyPrefix: config.redisKeyPrefix,
      log,
      onHit: (hit, context) => metrics.cacheHit(log, hit, context.requestId),
    }),
    documentLimits(config.documentLimits, log),
    // Apollo's request lifecycle.
    requestMetrics(metrics, log),
    queryLimits(config.queryLimits, log),
    persistedQueries({ mode: config.persistedQueries, manifestPath: config.persistedQueryManifest, redis, keyPrefix: config.redisKeyPrefix }),
    // Each subgraph fetch, outermost first (the trace span comes from tracing, above).
    collapsedRepresentations(saved),
    readRetries(config.subgraphFetch.retries),
    subgraphTimings(metrics),
    subgraphIdentity(config.subgraphSecret),
    sharedReads(saved),
    mergedReads(saved),
    keepAliveConnections(config.subgraphFetch),
  ];

  const running = await runGateway(
    {
      host: config.host,
      port: config.port,
      shutdownGraceMs: config.shutdownGraceMs,
      supergraphSdl: supergraphOf(config, log),
      introspection: config.introspection,
      log,
    },
    features,
    async () => {
      await redis?.quit().catch(() => undefined);
    },
  );
  return { ...running, metrics, metricsUrl: metricsListener.url };
}
