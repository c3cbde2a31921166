import { isAbsolute, join, resolve } from 'node:path';
import { envString, envUrl } from './environment';
import type { StoreLocation } from './database';
import type { SubgraphName } from './topology';

type Env = Record<string, string | undefined>;

/** The data folder for embedded stores: DATA_DIR, default ./.data (relative to the working directory). */
export function dataDir(env: Env): string {
  const dir = envString(env, 'DATA_DIR', '.data');
  return isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
}

/**
 * A subgraph's store: PostgreSQL when <NAME>_DATABASE_URL is set, else an
 * embedded PGlite folder <DATA_DIR>/<name>, so a fresh clone runs with no server.
 */
export function storeLocation(env: Env, subgraph: SubgraphName): StoreLocation {
  const variable = `${subgraph.toUpperCase()}_DATABASE_URL`;
  const url = envUrl(env, variable, ['postgres:', 'postgresql:']);
  if (url) return { kind: 'postgres', url };
  return { kind: 'pglite', dir: join(dataDir(env), subgraph) };
}
