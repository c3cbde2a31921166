// Migrates a subgraph's store and exits, without serving: what a Kubernetes
// migration Job runs before the subgraph's replicas roll (they would migrate on
// start too, one at a time under the advisory lock; the Job makes a slow
// migration happen before readiness probes start counting).
//
//   npm run migrate -- products [suppliers certification]   stores from <NAME>_DATABASE_URL / DATA_DIR
import { ConfigError } from '../common/environment';
import { describeStore, type Store, type StoreLocation } from '../common/database';
import { storeLocation } from '../common/storeLocation';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { openCertificationStore } from '../subgraphs/certification/store';
import { openProductsStore } from '../subgraphs/products/store';
import { openSuppliersStore } from '../subgraphs/suppliers/store';

const OPENERS: Record<SubgraphName, (location: StoreLocation) => Promise<Store<unknown>>> = {
  products: openProductsStore,
  suppliers: openSuppliersStore,
  certification: openCertificationStore,
};

/** Migrates each named subgraph's store in turn (the image's `migrate <subgraph>...` command runs this). */
export async function migrateStores(names: string[]): Promise<void> {
  if (names.length === 0) throw new Error(`usage: migrate <${SUBGRAPH_NAMES.join('|')}>...`);
  for (const name of names) {
    if (!(SUBGRAPH_NAMES as readonly string[]).includes(name)) throw new Error(`unknown subgraph "${name}"; one of ${SUBGRAPH_NAMES.join(', ')}`);
  }
  for (const name of names as SubgraphName[]) {
    const location = storeLocation(process.env, name);
    const started = Date.now();
    // Opening a store applies the migrations it has not seen (common/migrations.ts).
    const store = await OPENERS[name](location);
    await store.close();
    console.log(JSON.stringify({ level: 'info', subgraph: name, msg: 'migrated', store: describeStore(location), ms: Date.now() - started }));
  }
}

/** Runs the migration as the process's whole job: exit 0 once migrated, 1 with the message otherwise. */
export function runMigrateProcess(names: string[]): void {
  migrateStores(names).catch((err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err.message);
    process.exit(1);
  });
}

if (require.main === module) runMigrateProcess(process.argv.slice(2));
