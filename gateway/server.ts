import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import type Redis from 'ioredis';
import { ErrorCode } from '../common/errors';
import { developmentSecretWarning, IdentitySigner } from '../common/identity';
import type { Logger } from '../common/logging';
import { listen, type RunningServer } from '../common/subgraphServer';
import type { GatewayConfig } from './config';
import { defaultContractDir, isStaffOperation, readContractOperations } from './contractDocuments';
import { documentLimitsMiddleware } from './documentLimits';
import { downstreamErrorPathsPlugin, fieldOwners, type FieldOwners } from './downstreamErrorPaths';
import { gatewayErrorFormatter } from './errorPolicy';
import { createLogger } from '../common/logging';
import { createTracing, tracingPlugin } from '../common/tracing';
import { GatewayMetrics, metricsHandler, requestIdMiddleware } from './observability';
import { nulTextPlugin, persistedQueryCheckMiddleware } from './inputChecks';
import { createConsoleRouter } from './console/consoleRouter';
import { identityResolver, oidcTokenVerifier } from './oidcTokens';
import { requestIdentity, requestIdentityMiddleware } from './requestIdentity';
import { createPlaygroundRouter } from './playground/playgroundRouter';
import { checkReadiness } from './readiness';
import { connectRedis } from './redisConnection';
import { memoryCatalogVersion, memoryKeyValueCache, redisCatalogVersion, RedisKeyValueCache, ResponseCache, versionBumpPlugin } from './responseCache';
import { FetchMerger, mergeLayer } from './fetch/fetchBatching';
import { identityLayer } from './fetch/identity';
import type { CallLayer } from './fetch/layers';
import { collapseLayer } from './fetch/representations';
import { retryReads } from './fetch/retry';
import { shareLayer, SharedFetches } from './fetch/sharedFetches';
import { spanLayer } from './fetch/spans';
import { SubgraphDataSource } from './fetch/subgraphDataSource';
import { timingLayer } from './fetch/timing';
import { keepAliveTransport } from './fetch/transport';
import type { GatewayContext } from './requestContext';
import { queryLimitsPlugin } from './queryLimits';
import { createRateLimiter, rateLimitMiddleware } from './rateLimit';
import { composeSupergraph } from './supergraph';
import { watchedSupergraphFile } from './supergraphSource';
import { knownOperationNames, readManifest, trustedDocumentsPlugin } from './trustedDocuments';

export interface GatewayOptions {
  /** The contract: operations preloaded in the playground and named in metrics; default ../shared/contract. */
  contractDir?: string;
  /** Replaces the JSON logger (tests pass a silent one). */
  logger?: Logger;
}

export interface StartedGateway extends RunningServer {
  gateway: ApolloGateway;
  metrics: GatewayMetrics;
  /** GET /metrics on its own listener, when METRICS_PORT is set. */
  metricsUrl: string | null;
}

/**
 * The JSON body parser with the caller's limit: the full one for a verified
 * token, the anonymous one otherwise (a bad token is refused later anyway, so
 * little of it is read). A body announced over the limit is refused from its
 * Content-Length, before a byte of it is read.
 */
function bodyByCaller(fullLimit: number, anonymousLimit: number): RequestHandler {
  const full = express.json({ limit: fullLimit });
  const anonymous = express.json({ limit: anonymousLimit });
  return (req, res, next) => {
    let authenticated = false;
    try {
      authenticated = requestIdentity(req).authenticated;
    } catch {
      // UNAUTHENTICATED is answered by Apollo's context; the body is read as anonymous.
    }
    (authenticated ? full : anonymous)(req, res, next);
  };
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<StartedGateway> {
  const log = options.logger ?? createLogger('gateway', config.logLevel);
  const warning = developmentSecretWarning(config.developmentSecrets);
  if (warning) log.warn(warning);
  const contract = readContractOperations(options.contractDir ?? defaultContractDir());
  const metrics = new GatewayMetrics(knownOperationNames(config.persistedQueryManifest, contract));
  const tracing = config.otlpEndpoint ? createTracing('gateway', { OTEL_EXPORTER_OTLP_ENDPOINT: config.otlpEndpoint }) : null;
  const redis: Redis | null = config.redisUrl
    ? await connectRedis(config.redisUrl, (err) => log.warn({ msg: 'redis error', err: err.message }), { commandTimeoutMs: config.redisTimeoutMs })
    : null;

  const subgraphs = new Map<string, string>();
  const dataSources: SubgraphDataSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: config.supergraphPath ? watchedSupergraphFile(config.supergraphPath, log, config.supergraphPollMs) : composeSupergraph(config.subgraphUrls),
    buildService: ({ name, url }) => {
      if (!url) throw new Error(`subgraph ${name} has no URL in the supergraph`);
      subgraphs.set(name, url);
      const subgraph = { name, url };
      // Outermost first: span, collapsed representations, retries of reads, each attempt timed, the caller's identity.
      const call: CallLayer[] = [
        ...(tracing ? [spanLayer(subgraph, tracing.tracer)] : []),
        collapseLayer(subgraph, metrics.observeSubgraphSaving),
        retryReads(config.subgraphFetch.retries),
        timingLayer(subgraph, metrics.observeSubgraphFetch),
        identityLayer(new IdentitySigner(config.subgraphSecret, name)),
      ];
      const source = new SubgraphDataSource(subgraph, {
        call,
        // Identical reads in flight shared, then side-by-side reads merged.
        post: [
          shareLayer(subgraph, new SharedFetches(), metrics.observeSubgraphSaving),
          mergeLayer(subgraph, new FetchMerger(), metrics.observeSubgraphSaving),
        ],
        transport: keepAliveTransport(url, config.subgraphFetch),
      });
      dataSources.push(source);
      return source;
    },
    logger: {
      debug: (message) => log.debug({ msg: String(message) }),
      info: (message) => log.info({ msg: String(message) }),
      warn: (message) => log.warn({ msg: String(message) }),
      error: (message) => log.error({ msg: String(message) }),
    },
  });
  let loaded = false;
  let apiSchema: GraphQLSchema | null = null;
  let owners: FieldOwners | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema, coreSupergraphSdl }) => {
    loaded = true;
    apiSchema = schema;
    owners = fieldOwners(coreSupergraphSdl);
  });

  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    // The bundled playground below replaces Apollo's landing page, which loads from a CDN.
    ApolloServerPluginLandingPageDisabled(),
    metrics.plugin(log),
    nulTextPlugin(),
    downstreamErrorPathsPlugin(
      () => apiSchema,
      () => owners,
    ),
    queryLimitsPlugin(config.queryLimits, {
      onRejected: (measured, error) => log.info({ msg: 'operation refused', limit: error.extensions.limit, ...measured }),
    }),
  ];
  if (tracing) {
    plugins.unshift(
      tracingPlugin<GatewayContext>(tracing, 'gateway request', (contextValue, traceContext) => {
        contextValue.traceContext = traceContext;
      }),
    );
  }
  if (config.persistedQueries === 'only') plugins.push(trustedDocumentsPlugin(readManifest(config.persistedQueryManifest)));
  let responseCache: ResponseCache | null = null;
  if (config.responseCache) {
    const version = redis ? redisCatalogVersion(redis, `${config.redisKeyPrefix}catalog-version`, (entry) => log.warn(entry)) : memoryCatalogVersion();
    const cache = redis ? new RedisKeyValueCache(redis, `${config.redisKeyPrefix}response:`) : memoryKeyValueCache();
    responseCache = new ResponseCache(cache, version, (entry) => log.warn(entry));
    plugins.push(
      versionBumpPlugin(version, (entry) => log.error(entry)),
      responseCache.plugin(),
    );
  }

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: gatewayErrorFormatter((entry) => log.error(entry), { hideSuggestions: config.hideSuggestions }),
    includeStacktraceInErrorResponses: false,
    // SIGTERM drains through listen() below; Apollo's own handler would stop at once and re-raise it.
    stopOnTerminationSignals: false,
    introspection: config.introspection,
    csrfPrevention: true,
    // A backstop for documents that reach Apollo without the middleware's check.
    parseOptions: { maxTokens: config.documentLimits.maxTokens },
    persistedQueries: config.persistedQueries === 'off' ? false : redis ? { cache: new RedisKeyValueCache(redis, `${config.redisKeyPrefix}apq:`) } : {},
    plugins,
  });
  await apollo.start();
  const rateLimiter = config.rateLimit.enabled
    ? createRateLimiter(config.rateLimit, { log: (entry) => log.warn(entry), redis: redis ?? undefined, timeoutMs: config.redisTimeoutMs })
    : null;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestIdMiddleware);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const report = await checkReadiness(loaded, subgraphs, config.subgraphSecret);
    const failing = Object.entries(report.subgraphs)
      .filter(([, status]) => !status.up)
      .map(([name]) => name);
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ready' : 'not ready',
      ...(failing.length ? { failing } : {}),
      ...report,
    });
  });
  // Not on the public port in production unless behind METRICS_TOKEN; see MetricsConfig.
  if (config.metrics.onPublicPort) app.get('/metrics', metricsHandler(metrics.registry, config.metrics.token));
  const oidcVerifier = config.oidcTokens ? oidcTokenVerifier(config.oidcTokens) : null;
  app.use(
    createConsoleRouter({
      settings: config.console,
      oidcVerifier,
      developmentSecret: config.console.developmentSignIn && config.tokenKey.algorithm === 'HS256' ? config.tokenKey.secret : null,
      graphqlPath: '/graphql',
    }),
  );
  if (config.playground) {
    // Whoever opens the playground is anonymous (a browser sends no token):
    // in production it shows the partner operations only, not the staff ones.
    const documents = contract.filter((operation) => !(config.production && isStaffOperation(operation))).map(({ name, query }) => ({ name, query }));
    app.use(createPlaygroundRouter({ graphqlPath: '/graphql', documents }));
  }
  app.use(
    '/graphql',
    cors({
      origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
      credentials: false,
      maxAge: 600,
    }),
    // The caller is verified once; the rate limiter and Apollo's context read it.
    requestIdentityMiddleware(identityResolver(config.tokenKey, oidcVerifier, config.oidcTokens?.issuer ?? null)),
    // Before the body parser: a refused request costs no parsing or planning.
    ...(rateLimiter
      ? [
          rateLimitMiddleware(rateLimiter, config.rateLimit.policies, requestIdentity, {
            log: (entry) => log.warn(entry),
            apiKeys: config.rateLimit.apiKeys,
            onRejected: ({ role }) => metrics.rateLimitRejected(role),
          }),
        ]
      : []),
    bodyByCaller(config.maxBodyBytes, Math.min(config.maxAnonymousBodyBytes, config.maxBodyBytes)),
    persistedQueryCheckMiddleware(),
    ...(responseCache ? [responseCache.middleware((hit, res) => metrics.cacheHit(log, hit, res.locals.requestId as string))] : []),
    documentLimitsMiddleware(config.documentLimits, (error) => log.info({ msg: 'document refused', limit: error.extensions.limit })),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => ({
        identity: requestIdentity(req),
        requestId: res.locals.requestId as string,
        responseCacheKey: res.locals.responseCacheKey as string | undefined,
      }),
    }),
  );
  // Body parser failures (too large, not JSON) answered in GraphQL's error shape.
  app.use((err: Error & { status?: number; type?: string; limit?: number }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const tooLarge = err.type === 'entity.too.large';
    const limit = err.limit ?? config.maxBodyBytes;
    res.status(tooLarge ? 413 : (err.status ?? 400)).json({
      errors: [
        {
          message: tooLarge
            ? `The request body exceeds ${limit} bytes (MAX_BODY_BYTES with a token, MAX_ANONYMOUS_BODY_BYTES without).`
            : 'The request body is not valid JSON.',
          extensions: { code: tooLarge ? ErrorCode.REQUEST_TOO_LARGE : ApolloServerErrorCode.BAD_REQUEST, ...(tooLarge ? { limit } : {}) },
        },
      ],
    });
  });

  const metricsServer = config.metrics.port === null ? null : await listenMetrics(metrics, config.metrics);

  const http = createServer(app);
  http.keepAliveTimeout = 65_000;
  const running = await listen(
    http,
    config.host,
    config.port,
    '/graphql',
    async () => {
      await metricsServer?.close();
      await apollo.stop();
      for (const source of dataSources) source.close();
      await rateLimiter?.close();
      await tracing?.shutdown();
      await redis?.quit().catch(() => undefined);
    },
    config.shutdownGraceMs,
  );
  return { ...running, gateway, metrics, metricsUrl: metricsServer?.url ?? null };
}

/** GET /metrics alone on METRICS_HOST:METRICS_PORT (127.0.0.1 by default), for a scraper inside the network. */
async function listenMetrics(metrics: GatewayMetrics, config: GatewayConfig['metrics']): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics.registry, config.token));
  return listen(createServer(app), config.host, config.port ?? 0, '/metrics', async () => undefined, 1000);
}
