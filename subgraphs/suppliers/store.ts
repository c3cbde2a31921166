import { join } from 'node:path';
import { openStore, type Store, type StoreLocation } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type SuppliersDb = PrismaClient;

export function openSuppliersStore(location: StoreLocation): Promise<Store<SuppliersDb>> {
  return openStore({
    location,
    migrationsDir: join(__dirname, 'prisma', 'migrations'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  });
}
