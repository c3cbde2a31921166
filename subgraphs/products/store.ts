import { join } from 'node:path';
import { openStore, type Store, type StoreLocation } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type ProductsDb = PrismaClient;

export function openProductsStore(location: StoreLocation): Promise<Store<ProductsDb>> {
  return openStore({
    location,
    migrationsDir: join(__dirname, 'prisma', 'migrations'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  });
}
