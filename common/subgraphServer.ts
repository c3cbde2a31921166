import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { cacheControlPlugin } from './cachePolicy';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import express from 'express';
import { parse, type DocumentNode } from 'graphql';
import { maskErrors } from './errorMasking';
import { createLogger, requestLogPlugin, type Logger } from './logging';
import { tracingPlugin, type Tracing } from './tracing';
import { serviceUnavailable, unauthenticated } from './errors';
import { IDENTITY_HEADER, verifyIdentity, type Identity } from './identity';
import type { SubgraphName } from './topology';

/** The subgraph's SDL, from schema/<name>.graphql: the one source for the server and for codegen. */
export function subgraphTypeDefs(name: SubgraphName): DocumentNode {
  return parse(readFileSync(join(__dirname, '..', 'schema', `${name}.graphql`), 'utf8'));
}

export interface SubgraphServerOptions<Context extends object> {
  name: SubgraphName;
  /** Resolvers typed by codegen; buildSubgraphSchema takes them as a plain map. */
  resolvers: unknown;
  plugins?: ApolloServerPlugin<Context>[];
  /** Request and error log of the subgraph. */
  log?: Logger;
  /** Traces of the requests it answers, continuing the gateway's trace. */
  tracing?: Tracing | null;
  /** How long the gateway may cache what this subgraph answers, unless a resolver says less. */
  cacheMaxAgeSeconds?: number;
}

/** Builds the subgraph's Apollo Server (no side effects: nothing listens). */
export function buildSubgraphServer<Context extends object>(options: SubgraphServerOptions<Context>): ApolloServer<Context> {
  const log = options.log ?? createLogger(options.name, 'info');
  return new ApolloServer<Context>({
    schema: buildSubgraphSchema({
      typeDefs: subgraphTypeDefs(options.name),
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    }),
    formatError: maskErrors((err) => log.error({ msg: 'unexpected error', err: String((err as Error)?.stack ?? err) })),
    // Inline tracing only feeds Apollo GraphOS, which this graph does not report to.
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // Answers carry Cache-Control; the gateway's response cache honours the strictest.
      ApolloServerPluginCacheControlDisabled(),
      cacheControlPlugin<Context>(options.cacheMaxAgeSeconds ?? 0),
      requestLogPlugin<Context>(log),
      ...(options.tracing ? [tracingPlugin<Context>(options.tracing, `${options.name} request`)] : []),
      ...(options.plugins ?? []),
    ],
    includeStacktraceInErrorResponses: false,
    // The process owns shutdown (listen() drains, then stops this server).
    // Apollo's own SIGTERM handler would stop it at once and re-raise the
    // signal, killing the process under the requests still in flight.
    stopOnTerminationSignals: false,
  });
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** How long a stopping server lets in-flight requests finish: SHUTDOWN_GRACE_MS, default 10 s. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/**
 * Waits for an HTTP server to listen and returns how to reach and stop it.
 * Stopping drains: the listener closes at once (new connections are refused),
 * requests that arrive on kept-alive connections get 503 with
 * `Connection: close`, in-flight requests finish, and whatever is still open
 * after the grace period is cut.
 */
export async function listen(
  server: Server,
  host: string,
  port: number,
  path: string,
  onClose: () => Promise<void>,
  graceMs = DEFAULT_SHUTDOWN_GRACE_MS,
): Promise<RunningServer> {
  let draining = false;
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!draining) {
      for (const handler of handlers) handler.call(server, req, res);
      return;
    }
    res.setHeader('connection', 'close');
    res.statusCode = 503;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errors: [serviceUnavailable('The server is shutting down.')] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}${path}`,
    port: actual,
    close: () =>
      (closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // In-flight responses still carry keep-alive; once they are done their
        // sockets turn idle and are closed here, so close() can complete.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        try {
          await closed;
        } finally {
          clearInterval(sweep);
          clearTimeout(timer);
        }
        await onClose();
      })()),
  };
}

export interface ListenOptions<Context extends object> {
  host: string;
  port: number;
  /** Shared with the gateway; signs the identity header every request must carry. */
  secret: string;
  /** The subgraph's name: the audience its identity headers must be signed for. */
  audience: string;
  shutdownGraceMs?: number;
  context(req: express.Request, identity: Identity): Promise<Context>;
  /** What GET /ready checks besides the server itself (the store); throws when it cannot serve. */
  ready?(): Promise<void>;
  /** Told why /ready answered 503 (for the log). */
  onNotReady?(err: unknown): void;
}

/** How long GET /ready waits for the store's `SELECT 1`. */
export const READY_TIMEOUT_MS = 1000;

async function withinTimeout(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves a subgraph on POST /graphql, with GET /health (the process lives) and
 * GET /ready (its store answers) for process supervisors.
 * A request without a valid gateway-signed identity header is refused before
 * GraphQL runs, so nobody can skip the gateway's checks by calling a subgraph
 * (its _entities or mutations) directly.
 */
export async function listenSubgraph<Context extends object>(server: ApolloServer<Context>, options: ListenOptions<Context>): Promise<RunningServer> {
  await server.start();
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Ready: the process lives and its store answers now. A subgraph whose
  // database is gone leaves its Service (503) instead of failing every query.
  app.get('/ready', async (_req, res) => {
    try {
      if (options.ready) await withinTimeout(() => options.ready!(), READY_TIMEOUT_MS);
      res.json({ status: 'ready', store: 'up' });
    } catch (err) {
      // The reason stays in the process; the probe learns only that the store is down.
      options.onNotReady?.(err);
      res.status(503).json({ status: 'not ready', store: 'down' });
    }
  });
  app.use('/graphql', (req, res, next) => {
    try {
      res.locals.identity = verifyIdentity(req.header(IDENTITY_HEADER), options.secret, options.audience);
      next();
    } catch (err) {
      res.status(401).json({ errors: [unauthenticated((err as Error).message)] });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: '2mb' }),
    expressMiddleware(server, { context: async ({ req, res }) => options.context(req, res.locals.identity as Identity) }),
  );
  const { createServer } = await import('node:http');
  const http = createServer(app);
  // Keep-alive longer than the gateway's agent idle time, so the gateway never
  // writes to a socket the subgraph has just closed.
  http.keepAliveTimeout = 65_000;
  return listen(http, options.host, options.port, '/graphql', () => server.stop(), options.shutdownGraceMs);
}
