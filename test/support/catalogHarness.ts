// Starts the real federated catalog for tests: the three subgraphs and the
// gateway on loopback ports, each subgraph on its own real store (PGlite in
// memory, or a fresh PostgreSQL database that is dropped afterwards).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import type { Store, StoreLocation } from '../../common/database';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../../common/identity';
import { createLogger, type Logger } from '../../common/logging';
import { createTracing } from '../../common/tracing';
import { startSubgraph, type StartedSubgraph, type SubgraphProcessConfig } from '../../common/subgraphProcess';
import { subgraphSecret } from '../../common/identity';
import { DEVELOPMENT_ENV } from './developmentSecrets';
import { bearer, post, testToken, type CatalogClient } from './graphqlHttp';
import { subgraphModule, type AnySubgraphModule } from './localSubgraph';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../common/topology';
import { gatewayConfig as readGatewayConfig, type GatewayConfig } from '../../gateway/config';
import { startGateway, type StartedGateway } from '../../gateway/server';

export type Backend = 'pglite' | 'postgres';

/** Where tests create their PostgreSQL databases: TEST_DATABASE_URL, default the local server. */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// Each start builds its subgraph anew, as a process does: a module keeps state
// for its life (the products subgraph remembers which supplier id a spelling
// names), and state of one catalog must never answer for another.
const moduleOf = (name: SubgraphName): AnySubgraphModule => subgraphModule(name);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A PostgreSQL database made for one test run, dropped by `drop()`. */
export async function createTestDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rgg_test_${label}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  await admin.end();
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      // A closed pool has sent its connections' terminate messages but the
      // server may not have processed them yet: wait for them to go (up to
      // 5 s) rather than kill them, which the still-open clients would see.
      for (let waited = 0; waited < 5000; waited += 50) {
        const { rows } = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0].count === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface Catalog extends CatalogClient {
  backend: Backend;
  gatewayUrl: string;
  gateway: StartedGateway;
  subgraphs: Record<SubgraphName, StartedSubgraph<unknown>>;
  stores: Record<SubgraphName, Store<unknown>>;
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the same port and store settings. */
  restartSubgraph(name: SubgraphName): Promise<void>;
}

export interface CatalogOptions {
  backend: Backend;
  seed?: boolean;
  /** Gateway settings as environment variables (e.g. RESPONSE_CACHE, REDIS_URL). */
  gatewayEnv?: Record<string, string>;
  /** Trace the subgraphs (and, through gatewayEnv, the gateway) to this OTLP/HTTP endpoint. */
  otlpEndpoint?: string;
  /** A logger per subgraph (default: silent). */
  subgraphLog?: (name: SubgraphName) => Logger;
}

/** Where a running catalog's subgraphs answer, with some replaced (a proxy in front of one). */
export function subgraphUrlsOf(catalog: Catalog, overrides: Partial<Record<SubgraphName, string>> = {}): Record<SubgraphName, string> {
  return { ...(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, catalog.subgraphs[name].url])) as Record<SubgraphName, string>), ...overrides };
}

/** Starts a gateway (development secrets, no rate limit, silent) over these subgraph URLs, with more settings as environment variables. */
export async function startGatewayOver(urls: Record<SubgraphName, string>, env: Record<string, string> = {}): Promise<StartedGateway> {
  return startGateway({ ...readGatewayConfig({ ...DEVELOPMENT_ENV, PORT: '0', LOG_LEVEL: 'silent', RATE_LIMIT: 'off', ...env }), subgraphUrls: urls });
}

/** Starts one more gateway over a running catalog's subgraphs (a second replica). */
export async function startExtraGateway(catalog: Catalog, env: Record<string, string> = {}): Promise<StartedGateway> {
  return startGatewayOver(subgraphUrlsOf(catalog), env);
}

/** The secret a production gateway of the tests signs bearer tokens with (startProductionGateway). */
export const PRODUCTION_AUTH_SECRET = 'a-production-auth-secret-for-the-tests-only';

/**
 * One more gateway over a running catalog's subgraphs, in production mode
 * (NODE_ENV=production, AUTH_SECRET = PRODUCTION_AUTH_SECRET). It signs for
 * the subgraphs with their secret, which production would refuse to read
 * from the environment, being the development one.
 */
export async function startProductionGateway(catalog: Catalog, env: Record<string, string> = {}): Promise<StartedGateway> {
  const config = readGatewayConfig({
    NODE_ENV: 'production',
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT: 'off',
    AUTH_SECRET: PRODUCTION_AUTH_SECRET,
    SUBGRAPH_SECRET: 'a-production-subgraph-secret-replaced-below',
    ...env,
  });
  return startGateway({
    ...config,
    subgraphSecret: env.SUBGRAPH_SECRET ?? subgraphSecret(DEVELOPMENT_ENV),
    subgraphUrls: subgraphUrlsOf(catalog),
  });
}

export async function startCatalog(options: CatalogOptions): Promise<Catalog> {
  const databases: { drop(): Promise<void> }[] = [];
  const locations = {} as Record<SubgraphName, StoreLocation>;
  for (const name of SUBGRAPH_NAMES) {
    if (options.backend === 'postgres') {
      const database = await createTestDatabase(name);
      databases.push(database);
      locations[name] = { kind: 'postgres', url: database.url };
    } else {
      locations[name] = { kind: 'memory' };
    }
  }
  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const peers = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>;
  const secret = subgraphSecret(DEVELOPMENT_ENV);
  const subgraphs = {} as Record<SubgraphName, StartedSubgraph<unknown>>;
  const configs = {} as Record<SubgraphName, SubgraphProcessConfig>;
  const stopped = new Set<SubgraphName>();
  try {
    await Promise.all(
      SUBGRAPH_NAMES.map(async (name) => {
        const config: SubgraphProcessConfig = {
          host: '127.0.0.1',
          port: ports[name],
          peers,
          store: locations[name],
          seedDemoData: options.seed ?? true,
          secret,
          developmentSecrets: ['SUBGRAPH_SECRET'],
          cacheMaxAgeSeconds: { products: 60, suppliers: 300, certification: 60 }[name],
          shutdownGraceMs: 2000,
          log: options.subgraphLog?.(name) ?? createLogger(name, 'silent'),
          tracing: options.otlpEndpoint ? createTracing(name, { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint }) : null,
        };
        configs[name] = config;
        subgraphs[name] = await startSubgraph(moduleOf(name), config);
      }),
    );
  } catch (err) {
    await Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.close()));
    await Promise.all(databases.map((database) => database.drop()));
    throw err;
  }
  const gatewayConfig: GatewayConfig = {
    // Suites that are not about rate limiting send bursts a default limit would refuse.
    ...readGatewayConfig({
      ...DEVELOPMENT_ENV,
      PORT: '0',
      LOG_LEVEL: process.env.TEST_GATEWAY_LOG ? 'info' : 'silent',
      RATE_LIMIT: 'off',
      ...options.gatewayEnv,
    }),
    subgraphUrls: peers,
  };
  const gateway = await startGateway(gatewayConfig);
  const stores = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs[name].store])) as Record<SubgraphName, Store<unknown>>;
  return {
    backend: options.backend,
    gatewayUrl: gateway.url,
    gateway,
    subgraphs,
    stores,
    query: <Data>(query: string, variables: Record<string, unknown> = {}, token?: string) => post<Data>(gateway.url, { query, variables }, bearer(token)),
    token: testToken,
    subgraphQuery: <Data>(name: SubgraphName, query: string, variables: Record<string, unknown>, identity: Identity) =>
      post<Data>(subgraphs[name].url, { query, variables }, { [IDENTITY_HEADER]: signIdentity(identity, secret, name) }),
    sqlStatements: () => SUBGRAPH_NAMES.reduce((sum, name) => sum + stores[name].statements.value, 0),
    async stopSubgraph(name) {
      stopped.add(name);
      await subgraphs[name].close();
    },
    async restartSubgraph(name) {
      subgraphs[name] = await startSubgraph(moduleOf(name), configs[name]);
      stores[name] = subgraphs[name].store;
      stopped.delete(name);
    },
    async close() {
      await gateway.close();
      await Promise.all(SUBGRAPH_NAMES.filter((name) => !stopped.has(name)).map((name) => subgraphs[name].close()));
      await Promise.all(databases.map((database) => database.drop()));
    },
  };
}

/**
 * A handle on what a suite's beforeAll starts, for the describe block that
 * calls it: reads go to the started thing, so it is used inside hooks and
 * tests only (reading it earlier throws, naming what was not started yet).
 */
function startedIn<T extends object>(what: string, start: () => Promise<T>, stop: (started: T) => Promise<void>, timeoutMs: number): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  }, timeoutMs);
  afterAll(async () => {
    if (started) await stop(started);
    started = undefined;
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (!started) throw new Error(`${what} is not started: use it inside a hook or a test`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}

/** The catalog of a describe block: started before its tests, closed after them. */
export function useCatalog(options: CatalogOptions): Catalog {
  return startedIn(
    'the catalog',
    () => startCatalog(options),
    (catalog) => catalog.close(),
    120_000,
  );
}

/** One more gateway of a describe block (started by `start` before its tests, closed after them). */
export function useGateway(start: () => Promise<StartedGateway>): StartedGateway {
  return startedIn('the gateway', start, (gateway) => gateway.close(), 60_000);
}
