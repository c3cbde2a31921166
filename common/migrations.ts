import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The minimal driver surface migrations need: run a multi-statement script, run one query. */
export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads Prisma's migrations/ layout: one folder per migration, holding migration.sql, in name order. */
export function readMigrations(migrationsDir: string): Migration[] {
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

// The bookkeeping table is Prisma's own, with the same columns and checksum
// (sha256 of migration.sql), so a store migrated here is seen as up to date by
// `prisma migrate deploy` / `migrate status` wherever the schema engine exists.
const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Several processes may start against one PostgreSQL database at once (replicas,
// parallel test workers): an advisory lock makes them apply migrations one at a time.
// The same lock guards the demo seed (`Store.exclusively`), so the second of two
// replicas starting on an empty store waits, then finds it migrated and seeded.
export const STORE_SETUP_LOCK = 72707369;

/**
 * Applies the committed migrations that the store has not seen yet, each in its
 * own transaction. A migration whose file changed after it was applied stops the
 * start: editing history would leave stores that disagree.
 */
export async function applyMigrations(db: SqlExecutor, migrationsDir: string): Promise<string[]> {
  const migrations = readMigrations(migrationsDir);
  await db.query('SELECT pg_advisory_lock($1)', [STORE_SETUP_LOCK]);
  try {
    await db.exec(BOOKKEEPING);
    const applied = await db.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL',
    );
    const appliedByName = new Map(applied.map((row) => [row.migration_name, row.checksum]));
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = appliedByName.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied; add a new migration instead.`);
        }
        continue;
      }
      await db.exec('BEGIN');
      try {
        await db.exec(migration.sql);
        await db.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await db.exec('COMMIT');
      } catch (err) {
        await db.exec('ROLLBACK');
        throw new Error(`Migration ${migration.name} failed: ${(err as Error).message}`, { cause: err });
      }
      done.push(migration.name);
    }
    return done;
  } finally {
    await db.query('SELECT pg_advisory_unlock($1)', [STORE_SETUP_LOCK]);
  }
}
