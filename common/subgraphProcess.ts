import type { ApolloServer } from '@apollo/server';
import type express from 'express';
import { envInt, envPort, envString, ConfigError } from './environment';
import { runServerProcess } from './serverProcess';
import { createLogger, logLevel, type Logger } from './logging';
import { createTracing, type Tracing } from './tracing';
import { describeStore, type Store, type StoreLocation } from './database';
import { DEV_SUBGRAPH_SECRET, developmentSecretWarning, IDENTITY_HEADER, serviceIdentity, signIdentity, subgraphSecret, type Identity } from './identity';
import { SubgraphClient, type PeerFetch } from './subgraphClient';
import { storeLocation } from './storeLocation';
import { DEFAULT_SUBGRAPH_PORTS, subgraphUrls, type SubgraphName } from './topology';
import { DEFAULT_SHUTDOWN_GRACE_MS, listenSubgraph, type RunningServer } from './subgraphServer';

type Env = Record<string, string | undefined>;

export interface SubgraphProcessConfig {
  host: string;
  /** Where the other subgraphs answer, for the few calls one subgraph makes to another's API. */
  peers: Record<SubgraphName, string>;
  port: number;
  store: StoreLocation;
  seedDemoData: boolean;
  /** Signs and verifies the identity header shared with the gateway. */
  secret: string;
  /** The variables whose publicly known development value is in use (DEVELOPMENT_SECRETS=1); logged as a warning at start. */
  developmentSecrets: string[];
  /** <NAME>_CACHE_MAX_AGE: seconds the gateway may cache this subgraph's answers (resolvers may say less). */
  cacheMaxAgeSeconds: number;
  /** SHUTDOWN_GRACE_MS: how long a stopping subgraph lets in-flight requests finish. */
  shutdownGraceMs: number;
  /** JSON log of the subgraph, at LOG_LEVEL. */
  log: Logger;
  /** OpenTelemetry traces when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  tracing: Tracing | null;
  /** How peer calls are sent: the global fetch unless set (the tests' in-process graph answers them without sockets). */
  peerFetch?: PeerFetch;
}

const DEFAULT_CACHE_MAX_AGE: Record<SubgraphName, number> = { products: 60, suppliers: 300, certification: 60 };

/** Where a subgraph process listens: SUBGRAPH_HOST (else HOST, 127.0.0.1) and <NAME>_PORT. */
export function subgraphListenAddress(env: Env, name: SubgraphName): { host: string; port: number } {
  return {
    host: envString(env, 'SUBGRAPH_HOST', envString(env, 'HOST', '127.0.0.1')),
    port: envPort(env, `${name.toUpperCase()}_PORT`, DEFAULT_SUBGRAPH_PORTS[name]),
  };
}

/** Settings every subgraph process reads: <NAME>_PORT, HOST, <NAME>_DATABASE_URL / DATA_DIR, SEED_DEMO_DATA. */
export function subgraphProcessConfig(env: Env, name: SubgraphName): SubgraphProcessConfig {
  const seed = envString(env, 'SEED_DEMO_DATA', 'if-empty');
  if (seed !== 'if-empty' && seed !== 'never') {
    throw new ConfigError('SEED_DEMO_DATA', `must be "if-empty" or "never", got "${seed}"`);
  }
  const secret = subgraphSecret(env);
  return {
    ...subgraphListenAddress(env, name),
    peers: subgraphUrls(env),
    store: storeLocation(env, name),
    seedDemoData: seed === 'if-empty',
    secret,
    developmentSecrets: secret === DEV_SUBGRAPH_SECRET ? ['SUBGRAPH_SECRET'] : [],
    cacheMaxAgeSeconds: envInt(env, `${name.toUpperCase()}_CACHE_MAX_AGE`, DEFAULT_CACHE_MAX_AGE[name], { min: 0, max: 86_400 }),
    shutdownGraceMs: envInt(env, 'SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, { min: 0, max: 600_000 }),
    log: createLogger(name, logLevel(env)),
    tracing: createTracing(name, env),
  };
}

/** What a subgraph folder provides so that one runner can start it. */
export interface SubgraphModule<Client, Context extends object> {
  name: SubgraphName;
  openStore(location: StoreLocation): Promise<Store<Client>>;
  buildServer(config: SubgraphProcessConfig): ApolloServer<Context>;
  createContext(store: Store<Client>, identity: Identity, config: SubgraphProcessConfig, req: express.Request): Promise<Context>;
  /** Seeds the demo catalog when the store is empty; returns whether it did. */
  seedIfEmpty(store: Store<Client>): Promise<boolean>;
  /** Brings stored data up to the current code's rules after migrating (idempotent). */
  prepare?(store: Store<Client>, config: SubgraphProcessConfig): Promise<void>;
  /** Work begun once the server listens, without holding up readiness; stopped before the store closes. */
  background?(store: Store<Client>, config: SubgraphProcessConfig): { stop(): Promise<void> };
}

export interface StartedSubgraph<Client> extends RunningServer {
  store: Store<Client>;
}

/** Opens the store (migrating it), seeds it when asked, and listens. */
export async function startSubgraph<Client, Context extends object>(
  module: SubgraphModule<Client, Context>,
  config: SubgraphProcessConfig,
): Promise<StartedSubgraph<Client>> {
  const warning = developmentSecretWarning(config.developmentSecrets);
  if (warning) config.log.warn(warning);
  const store = await module.openStore(config.store);
  // Under the setup lock: replicas starting together on an empty store seed it once.
  if (module.prepare) await store.exclusively(() => module.prepare!(store, config));
  if (config.seedDemoData) await store.exclusively(() => module.seedIfEmpty(store));
  const server = module.buildServer(config);
  let running: RunningServer;
  try {
    running = await listenSubgraph(server, {
      host: config.host,
      port: config.port,
      audience: module.name,
      secret: config.secret,
      shutdownGraceMs: config.shutdownGraceMs,
      context: (req, identity) => module.createContext(store, identity, config, req),
      ready: async () => {
        await store.sql.query('SELECT 1');
      },
      onNotReady: (err) => config.log.warn({ msg: 'not ready: the store does not answer', err: String((err as Error)?.message ?? err) }),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const background = module.background?.(store, config);
  return {
    ...running,
    store,
    close: async () => {
      await running.close();
      await background?.stop();
      await store.close();
      await config.tracing?.shutdown();
    },
  };
}

/** Entry point of a subgraph process: start, log where, stop cleanly on SIGINT/SIGTERM. */
export function runSubgraphProcess<Client, Context extends object>(module: SubgraphModule<Client, Context>): void {
  runServerProcess({ subgraph: module.name }, async () => {
    const config = subgraphProcessConfig(process.env, module.name);
    const started = await startSubgraph(module, config);
    return { ...started, describe: { store: describeStore(config.store) } };
  });
}

/**
 * A client for one subgraph calling another's API, signed as that subgraph.
 * `timeoutMs` (5 s) bounds each call; a write path that waits on a batch of a
 * thousand names gives it longer.
 */
export function peerClient(from: SubgraphName, to: SubgraphName, config: SubgraphProcessConfig, timeoutMs = 5000): SubgraphClient {
  const identity = serviceIdentity(from);
  return new SubgraphClient(to, config.peers[to], async () => ({ [IDENTITY_HEADER]: signIdentity(identity, config.secret, to) }), timeoutMs, config.peerFetch);
}
