import { createServer } from 'node:http';
import { ApolloGateway, type SupergraphSdlHook } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Logger } from '../common/logging';
import { listen, type RunningServer } from '../common/subgraphServer';
import type { ApolloSettings, GatewayFeature } from './features/types';
import { SubgraphDataSource } from './fetch/subgraphDataSource';
import { requestContext, type GatewayContext } from './requestContext';

export interface RuntimeSettings {
  host: string;
  port: number;
  /** How long a stop lets requests in flight finish. */
  shutdownGraceMs: number;
  /** The supergraph: its text, or a hook that reads it and tells of changes. */
  supergraphSdl: string | SupergraphSdlHook;
  /** INTROSPECTION. */
  introspection: boolean;
  log: Logger;
}

export interface RunningGateway extends RunningServer {
  gateway: ApolloGateway;
}

/** Every hook of one kind, in the order of the list. */
export function hooks<Key extends keyof GatewayFeature>(features: readonly GatewayFeature[], key: Key): NonNullable<GatewayFeature[Key]>[] {
  return features.flatMap((feature) => (feature[key] === undefined ? [] : [feature[key] as NonNullable<GatewayFeature[Key]>]));
}

export interface ApolloOverFeatures {
  gateway: ApolloGateway;
  /** Apollo Server with the features' lifecycle hooks, started. */
  apollo: ApolloServer<GatewayContext>;
  /** The subgraph clients made so far (one per subgraph of the supergraph). */
  dataSources: SubgraphDataSource[];
}

/**
 * Apollo's gateway with a client per subgraph built from the features' fetch
 * hooks (exactly one of them the transport), and Apollo Server with their
 * lifecycle hooks, started. The running gateway mounts it in express
 * (runGateway below); the tests' composed graph calls it in process.
 */
export async function apolloOver(
  settings: Pick<RuntimeSettings, 'supergraphSdl' | 'introspection' | 'log'>,
  features: readonly GatewayFeature[],
): Promise<ApolloOverFeatures> {
  const { log } = settings;
  const transports = features.filter((feature) => feature.subgraphTransport);
  if (transports.length !== 1) throw new Error(`exactly one gateway feature must send subgraph requests, got ${transports.length}`);
  const [transport] = transports;

  const subgraphs = new Map<string, string>();
  const dataSources: SubgraphDataSource[] = [];
  // @apollo/gateway sends anonymous usage data to Apollo unless this is set:
  // nothing leaves the deployment unless an operator asks for it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const planHooks = hooks(features, 'queryPlan');
  const gateway = new ApolloGateway({
    supergraphSdl: settings.supergraphSdl,
    buildService: ({ name, url }) => {
      if (!url) throw new Error(`subgraph ${name} has no URL in the supergraph`);
      subgraphs.set(name, url);
      const subgraph = { name, url };
      const source = new SubgraphDataSource(subgraph, {
        call: hooks(features, 'subgraphCall').map((layer) => layer(subgraph)),
        post: hooks(features, 'subgraphPost').map((layer) => layer(subgraph)),
        transport: transport!.subgraphTransport!(subgraph),
      });
      dataSources.push(source);
      return source;
    },
    experimental_didResolveQueryPlan: planHooks.length ? ({ queryPlan }) => planHooks.forEach((hook) => hook(queryPlan)) : undefined,
    logger: {
      debug: (message) => log.debug({ msg: String(message) }),
      info: (message) => log.info({ msg: String(message) }),
      warn: (message) => log.warn({ msg: String(message) }),
      error: (message) => log.error({ msg: String(message) }),
    },
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    for (const loaded of hooks(features, 'supergraphLoaded')) loaded({ apiSchema, coreSupergraphSdl, subgraphs });
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // SIGTERM drains through listen() below; Apollo's own handler would stop at once and re-raise it.
    stopOnTerminationSignals: false,
    introspection: settings.introspection,
    csrfPrevention: true,
    ...hooks(features, 'apollo').reduce<ApolloSettings>((all, apollo) => ({ ...all, ...apollo }), {}),
    plugins: hooks(features, 'plugins').flat(),
  });
  await apollo.start();
  return { gateway, apollo, dataSources };
}

/**
 * The gateway made of `features` (see features/types.ts): Apollo's gateway
 * with a client per subgraph from the fetch hooks, Apollo Server with the
 * lifecycle hooks, the express app with the HTTP hooks, listening until it
 * is stopped. A stop drains the requests in flight, stops Apollo, closes the
 * subgraph connections, then shuts the features down, last listed first.
 */
export async function runGateway(settings: RuntimeSettings, features: readonly GatewayFeature[], onStopped?: () => Promise<void>): Promise<RunningGateway> {
  const { gateway, apollo, dataSources } = await apolloOver(settings, features);

  const contextHooks = hooks(features, 'context');
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  for (const routes of hooks(features, 'routes')) routes(app);
  app.use(
    '/graphql',
    ...hooks(features, 'http').flat(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const context = requestContext(req);
        for (const hook of contextHooks) await hook(context);
        return context;
      },
    }),
  );
  for (const handler of hooks(features, 'httpError')) app.use(handler);

  for (const start of hooks(features, 'start')) await start();
  const http = createServer(app);
  http.keepAliveTimeout = 65_000;
  const running = await listen(
    http,
    settings.host,
    settings.port,
    '/graphql',
    async () => {
      await apollo.stop();
      for (const source of dataSources) source.close();
      for (const shutdown of hooks(features, 'shutdown').reverse()) await shutdown();
      await onStopped?.();
    },
    settings.shutdownGraceMs,
  );
  return { ...running, gateway };
}
