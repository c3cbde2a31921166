import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import { applyMigrations, STORE_SETUP_LOCK, type SqlExecutor } from './migrations';

/** Where a subgraph's store lives: a PostgreSQL URL, else a PGlite folder. */
export type StoreLocation = { kind: 'postgres'; url: string } | { kind: 'pglite'; dir: string } | { kind: 'memory' };

/** Counts SQL statements sent to the driver, so tests and benchmarks can prove batching. */
export class SqlStatementCounter {
  private count = 0;
  increment(): void {
    this.count += 1;
  }
  get value(): number {
    return this.count;
  }
}

export interface Store<Client> {
  client: Client;
  location: StoreLocation;
  statements: SqlStatementCounter;
  /** Raw driver access for migrations and tests (never used by resolvers). */
  sql: SqlExecutor;
  /**
   * Runs `work` while holding the store's setup lock (the advisory lock of the
   * migrations), so one-time setup such as seeding an empty store happens once
   * however many replicas start together. PGlite is one process's: no lock.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function describeStore(location: StoreLocation): string {
  if (location.kind === 'postgres') {
    const url = new URL(location.url);
    return `PostgreSQL ${url.host}${url.pathname}`;
  }
  return location.kind === 'pglite' ? `PGlite ${location.dir}` : 'PGlite in memory';
}

const COUNTED_METHODS = new Set(['queryRaw', 'executeRaw']);

// Wraps a driver adapter so that every statement Prisma sends (inside a
// transaction or not) bumps the counter; the driver itself is untouched.
function countingQueryable<T extends SqlQueryable>(target: T, counter: SqlStatementCounter): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (COUNTED_METHODS.has(prop as string)) {
        return (...args: unknown[]) => {
          counter.increment();
          return method.apply(obj, args);
        };
      }
      if (prop === 'startTransaction') {
        return async (...args: unknown[]) => countingQueryable((await method.apply(obj, args)) as SqlQueryable, counter);
      }
      return method.bind(obj);
    },
  });
}

function countingFactory(factory: SqlDriverAdapterFactory, counter: SqlStatementCounter): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async (): Promise<SqlDriverAdapter> => countingQueryable(await factory.connect(), counter),
  };
}

function pgliteExecutor(db: PGlite): SqlExecutor {
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
  };
}

async function withPgClient<T>(url: string, work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work({
      exec: async (sql) => {
        await client.query(sql);
      },
      query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
    });
  } finally {
    await client.end();
  }
}

export interface OpenStoreOptions<Client> {
  location: StoreLocation;
  migrationsDir: string;
  createClient(adapter: SqlDriverAdapterFactory): Client & { $disconnect(): Promise<void> };
  /** PostgreSQL pool size; PGlite is a single in-process connection. */
  poolSize?: number;
}

/**
 * Opens a subgraph's store: applies the committed migrations, then builds one
 * Prisma client (one per process, shared by all requests) on the right driver
 * adapter.
 */
export async function openStore<Client>(options: OpenStoreOptions<Client>): Promise<Store<Client & { $disconnect(): Promise<void> }>> {
  const statements = new SqlStatementCounter();
  const { location } = options;
  if (location.kind === 'postgres') {
    await withPgClient(location.url, (executor) => applyMigrations(executor, options.migrationsDir));
    const pool = new pg.Pool({ connectionString: location.url, max: options.poolSize ?? 10 });
    // An idle connection that the server ends (a restart, a dropped database)
    // is simply discarded by the pool; without a listener its error would end the process.
    pool.on('error', () => undefined);
    const client = options.createClient(countingFactory(new PrismaPg(pool), statements));
    const sql: SqlExecutor = {
      exec: async (text) => {
        await pool.query(text);
      },
      query: async <Row>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as Row[],
    };
    return {
      client,
      location,
      statements,
      sql,
      // A session lock on a connection of its own: the pool's connections are shared by requests.
      exclusively: (work) =>
        withPgClient(location.url, async (executor) => {
          await executor.query('SELECT pg_advisory_lock($1)', [STORE_SETUP_LOCK]);
          try {
            return await work();
          } finally {
            await executor.query('SELECT pg_advisory_unlock($1)', [STORE_SETUP_LOCK]);
          }
        }),
      close: async () => {
        await client.$disconnect();
        await pool.end();
      },
    };
  }
  if (location.kind === 'pglite') mkdirSync(location.dir, { recursive: true });
  const db = location.kind === 'pglite' ? new PGlite(location.dir) : new PGlite();
  const sql = pgliteExecutor(db);
  await applyMigrations(sql, options.migrationsDir);
  const client = options.createClient(countingFactory(new PrismaPGlite(db), statements));
  return {
    client,
    location,
    statements,
    sql,
    exclusively: (work) => work(),
    close: async () => {
      await client.$disconnect();
      await db.close();
    },
  };
}

/**
 * The store opener of one subgraph: its committed migrations (in
 * `<subgraphDir>/prisma/migrations`) and its own generated Prisma client are
 * all that differ from one subgraph to the next.
 */
export function subgraphStore<Client extends { $disconnect(): Promise<void> }>(
  subgraphDir: string,
  createClient: (adapter: SqlDriverAdapterFactory) => Client,
): (location: StoreLocation) => Promise<Store<Client>> {
  const migrationsDir = join(subgraphDir, 'prisma', 'migrations');
  return (location) => openStore({ location, migrationsDir, createClient });
}

/** Whether a Prisma write failed on a unique index: PostgreSQL's unique_violation (23505), which Prisma reports as P2002. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof PrismaClientKnownRequestError && err.code === 'P2002';
}
