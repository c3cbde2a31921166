// Two replicas of a subgraph starting at once on an empty PostgreSQL database
// (a Deployment's first rollout): the store is migrated and seeded once, the
// replica that did not get the advisory lock waits, then both serve.
import { join } from 'node:path';
import pg from 'pg';
import { ANONYMOUS, IDENTITY_HEADER, signIdentity, subgraphSecret } from '../common/identity';
import { readMigrations, STORE_SETUP_LOCK } from '../common/migrations';
import { createTestDatabase, freePort } from './support/catalogHarness';
import { post } from './support/graphqlHttp';
import { startProcess, waitForOk, type RunningProcess } from './support/processes';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';

const root = join(__dirname, '..');
const migrations = readMigrations(join(root, 'subgraphs', 'products', 'prisma', 'migrations')).map((migration) => migration.name);

describe('migrations under replicas (PostgreSQL)', () => {
  let database: { url: string; drop(): Promise<void> };
  const replicas: RunningProcess[] = [];
  let holder: pg.Client | null = null;

  beforeAll(async () => {
    database = await createTestDatabase('replicas');
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await holder?.end().catch(() => undefined);
    await database.drop();
  });

  test('two replicas started together migrate and seed once; the second waits for the lock, then serves', async () => {
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      // Stand in for a replica that is in the middle of migrating: hold the lock
      // before either starts, so both must wait on it.
      holder = new pg.Client({ connectionString: database.url });
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1)', [STORE_SETUP_LOCK]);

      const ports = [await freePort(), await freePort()];
      for (const [index, port] of ports.entries()) {
        replicas.push(
          startProcess(`products-${index}`, process.execPath, ['--import', 'tsx', join(root, 'subgraphs', 'products', 'index.ts')], {
            cwd: root,
            env: {
              PATH: process.env.PATH,
              ...DEVELOPMENT_ENV,
              PRODUCTS_PORT: String(port),
              PRODUCTS_DATABASE_URL: database.url,
              SEED_DEMO_DATA: 'if-empty',
              LOG_LEVEL: 'warn',
            },
          }),
        );
      }
      // Both are up as processes and connected, waiting: nothing is created, nothing listens.
      const waiting = async () =>
        (await db.query<{ count: number }>("SELECT count(*)::int AS count FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rows[0].count;
      for (let waited = 0; waited < 30_000 && (await waiting()) < 2; waited += 200) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await waiting()).toBe(2);
      const tables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = '_prisma_migrations'");
      expect(tables.rowCount).toBe(0);
      for (const port of ports) await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

      // Released at once: they race for it, and one migrates and seeds while the other waits.
      await holder.query('SELECT pg_advisory_unlock($1)', [STORE_SETUP_LOCK]);
      await Promise.all(ports.map((port, index) => waitForOk(`http://127.0.0.1:${port}/health`, replicas[index], 90_000)));

      const applied = await db.query<{ migration_name: string; count: number }>(
        'SELECT migration_name, count(*)::int AS count FROM "_prisma_migrations" GROUP BY migration_name ORDER BY migration_name',
      );
      expect(applied.rows).toEqual(migrations.map((name) => ({ migration_name: name, count: 1 })));
      const seeded = await db.query<{ platforms: number; products: number }>(
        'SELECT (SELECT count(*)::int FROM platform) AS platforms, (SELECT count(*)::int FROM product) AS products',
      );
      expect(seeded.rows[0]).toEqual({ platforms: 4, products: 66 });

      // Both serve the same catalog.
      const header = { [IDENTITY_HEADER]: signIdentity(ANONYMOUS, subgraphSecret(DEVELOPMENT_ENV), 'products') };
      for (const port of ports) {
        const answer = await post<{ products: { totalCount: number } }>(
          `http://127.0.0.1:${port}/graphql`,
          { query: '{ products(first: 1) { totalCount } }' },
          header,
        );
        expect(answer.errors).toBeUndefined();
        expect(answer.data!.products.totalCount).toBe(66);
      }
      for (const replica of replicas) expect(replica.output()).not.toMatch(/failed|error/i);
    } finally {
      await db.end();
    }
  }, 150_000);
});
