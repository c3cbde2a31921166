import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { listen, type RunningServer } from '../common/subgraphServer';
import { identityFromHeaders } from './bearerToken';
import type { GatewayConfig } from './config';
import { defaultContractDir, readContractOperations } from './contractDocuments';
import { gatewayErrorFormatter, type Logger } from './errorPolicy';
import { createPlaygroundRouter } from './playground/playgroundRouter';
import { checkReadiness } from './readiness';
import { SubgraphDataSource, type GatewayContext } from './subgraphDataSource';
import { composeSupergraph } from './supergraph';

export interface GatewayOptions {
  /** Operations preloaded in the playground; default ../shared/contract. */
  contractDir?: string;
  log?: Logger;
}

export interface StartedGateway extends RunningServer {
  gateway: ApolloGateway;
}

const jsonLog: Logger = (entry) => console.log(JSON.stringify({ time: new Date().toISOString(), service: 'gateway', ...entry }));

/** The supergraph to serve: the file named by SUPERGRAPH_PATH, else composed now from schema/. */
export function loadSupergraph(config: GatewayConfig): string {
  return config.supergraphPath ? readFileSync(config.supergraphPath, 'utf8') : composeSupergraph(config.subgraphUrls);
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<StartedGateway> {
  const log = options.log ?? jsonLog;
  const subgraphs = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: loadSupergraph(config),
    buildService: ({ name, url }) => {
      if (!url) throw new Error(`subgraph ${name} has no URL in the supergraph`);
      subgraphs.set(name, url);
      return new SubgraphDataSource(name, url, config.subgraphSecret);
    },
  });
  let loaded = false;
  gateway.onSchemaLoadOrUpdate(() => {
    loaded = true;
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: gatewayErrorFormatter(log),
    includeStacktraceInErrorResponses: false,
    introspection: !config.production,
    // The bundled playground below replaces Apollo's landing page, which loads from a CDN.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const report = await checkReadiness(loaded, subgraphs, config.subgraphSecret);
    const failing = Object.entries(report.subgraphs).filter(([, status]) => !status.up).map(([name]) => name);
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ready' : 'not ready',
      ...(failing.length ? { failing } : {}),
      ...report,
    });
  });
  const documents = readContractOperations(options.contractDir ?? defaultContractDir()).map(({ name, query }) => ({ name, query }));
  app.use(createPlaygroundRouter({ graphqlPath: '/graphql', documents }));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GatewayContext> => ({ identity: identityFromHeaders(req.headers, config.tokenKey) }),
    }),
  );

  const http = createServer(app);
  const running = await listen(http, config.host, config.port, '/graphql', async () => {
    await apollo.stop();
  });
  return { ...running, gateway };
}
