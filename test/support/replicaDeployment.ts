// A deployment of the catalog as Kubernetes would run it, on loopback: three
// gateway processes and two processes of each subgraph, each service behind
// HAProxy, on PostgreSQL (one database per subgraph) and one Redis. Every
// process runs the production build (npm run build, plain node, as the image
// does) as its own OS process, so it can be killed and started again.
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../common/topology';
import type { Role } from '../../common/identity';
import { mintToken } from '../../common/localTokens';
import { composeSupergraph } from '../../gateway/supergraph';
import { buildProduction } from '../../scripts/build';
import { createTestDatabase, freePort } from './catalogHarness';
import { startHaproxy, type BalancedService, type Haproxy } from './haproxy';
import { startProcess, waitForOk, type RunningProcess } from './processes';
import { startTestRedis, type TestRedis } from './redisServer';

const root = join(__dirname, '..', '..');
const AUTH_SECRET = 'replica-deployment-auth-secret-0123456789abcdef';
const SUBGRAPH_SECRET = 'replica-deployment-subgraph-secret-0123456789ab';

export type ServiceName = 'gateway' | SubgraphName;

export interface Replica {
  service: ServiceName;
  /** gateway-0, products-1, ...: also its server name in HAProxy. */
  name: string;
  port: number;
  /** The running process (a new one after each start). */
  process: RunningProcess;
  /** Its own readiness endpoint, which HAProxy checks. */
  readyUrl: string;
}

export interface ReplicaDeployment {
  /** The gateways' frontend: what partners and staff call. */
  gatewayUrl: string;
  haproxy: Haproxy;
  replicas: Replica[];
  redis: TestRedis;
  databaseUrls: Record<SubgraphName, string>;
  token(sub: string, roles: Role[], platform?: string): string;
  /** Error lines every process started so far has logged (JSON logs at level error, uncaught errors). */
  loggedErrors(): string[];
  /** Starts the replica's process again (after a kill or a stop); resolves once it answers its readiness endpoint. */
  start(replica: Replica): Promise<number>;
  close(): Promise<void>;
}

const ENTRIES: Record<ServiceName, string> = {
  gateway: join('gateway', 'index.js'),
  products: join('subgraphs', 'products', 'index.js'),
  suppliers: join('subgraphs', 'suppliers', 'index.js'),
  certification: join('subgraphs', 'certification', 'index.js'),
};

export async function startReplicaDeployment(options: {
  gateways?: number;
  subgraphReplicas?: number;
  work: string;
  log?: (line: string) => void;
}): Promise<ReplicaDeployment> {
  const log = options.log ?? (() => undefined);
  const gatewayCount = options.gateways ?? 3;
  const subgraphCount = options.subgraphReplicas ?? 2;
  // Compiled once: restarts under load then take seconds, not a TypeScript compile each.
  const app = await buildProduction(join(options.work, 'dist'));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  const redis = await startTestRedis();
  const databases = await Promise.all(SUBGRAPH_NAMES.map((name) => createTestDatabase(`replicas_${name}`)));
  const databaseUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name, index) => [name, databases[index].url])) as Record<SubgraphName, string>;

  const frontends = {} as Record<ServiceName, number>;
  for (const service of ['gateway', ...SUBGRAPH_NAMES] as ServiceName[]) frontends[service] = await freePort();
  const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${frontends[name]}/graphql`])) as Record<SubgraphName, string>;
  const supergraph = join(options.work, 'supergraph.graphql');
  writeFileSync(supergraph, composeSupergraph(subgraphUrls));

  const replicas: Replica[] = [];
  for (const service of ['gateway', ...SUBGRAPH_NAMES] as ServiceName[]) {
    for (let index = 0; index < (service === 'gateway' ? gatewayCount : subgraphCount); index++) {
      const port = await freePort();
      const readyUrl = `http://127.0.0.1:${port}${service === 'gateway' ? '/ready' : '/health'}`;
      replicas.push({ service, name: `${service}-${index}`, port, readyUrl, process: null as unknown as RunningProcess });
    }
  }
  const common = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    AUTH_SECRET,
    SUBGRAPH_SECRET,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '10000',
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_SUBGRAPH_URL`, subgraphUrls[name]])),
  };
  const envOf = (replica: Replica): Record<string, string | undefined> =>
    replica.service === 'gateway'
      ? {
          ...common,
          HOST: '127.0.0.1',
          PORT: String(replica.port),
          SUPERGRAPH_PATH: supergraph,
          REDIS_URL: redis.url,
          // One shared bucket per caller across the gateways; high enough for the test's load.
          RATE_LIMIT_ANONYMOUS: '100000/s,burst=100000',
          RATE_LIMIT_PARTNER: '100000/s,burst=100000',
          RATE_LIMIT_CERTIFIER: '100000/s,burst=100000',
        }
      : {
          ...common,
          SUBGRAPH_HOST: '127.0.0.1',
          [`${replica.service.toUpperCase()}_PORT`]: String(replica.port),
          [`${replica.service.toUpperCase()}_DATABASE_URL`]: databaseUrls[replica.service],
          SEED_DEMO_DATA: 'if-empty',
        };
  const started: RunningProcess[] = [];
  const start = async (replica: Replica): Promise<number> => {
    const begin = Date.now();
    replica.process = startProcess(replica.name, process.execPath, [join(app, ENTRIES[replica.service])], { cwd: app, env: envOf(replica) });
    started.push(replica.process);
    await waitForOk(replica.readyUrl, replica.process, 120_000);
    log(`${replica.name} ready in ${Date.now() - begin} ms`);
    return Date.now() - begin;
  };

  const services: BalancedService[] = (['gateway', ...SUBGRAPH_NAMES] as ServiceName[]).map((service) => ({
    name: service,
    port: frontends[service],
    check: service === 'gateway' ? '/ready' : '/health',
    replicas: replicas.filter((replica) => replica.service === service).map(({ name, port }) => ({ name, port })),
  }));
  const haproxy = await startHaproxy(services);
  const close = async () => {
    await Promise.all(replicas.filter((replica) => replica.process).map((replica) => replica.process.stop()));
    await haproxy.stop();
    await redis.stop();
    await Promise.all(databases.map((database) => database.drop()));
  };
  try {
    // The first replica of each subgraph migrates and seeds its database, then
    // the others start. (Replicas starting together on an empty database are
    // test/migrationReplicas.e2e.ts; here nine processes starting on two cores
    // at once would only stretch the seed past its transaction timeout.)
    await Promise.all(replicas.filter((replica) => replica.name.endsWith('-0') && replica.service !== 'gateway').map(start));
    await Promise.all(replicas.filter((replica) => !replica.name.endsWith('-0') && replica.service !== 'gateway').map(start));
    await Promise.all(replicas.filter((replica) => replica.service === 'gateway').map(start));
    await Promise.all(replicas.map((replica) => haproxy.waitUntilUp(replica.service, replica.name)));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    gatewayUrl: `http://127.0.0.1:${frontends.gateway}/graphql`,
    haproxy,
    replicas,
    redis,
    databaseUrls,
    token: (sub, roles, platform) => mintToken({ sub, roles, platform: platform ?? null }, AUTH_SECRET, 3600),
    start,
    loggedErrors: () =>
      started.flatMap((child) =>
        child
          .output()
          .split('\n')
          .filter((line) => /"level":(?:50|60|"error")|^\w*Error\b/.test(line))
          .map((line) => `${child.name}: ${line.slice(0, 600)}`),
      ),
    close,
  };
}
