import { join } from 'node:path';
import { openStore, type Store, type StoreLocation } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type CertificationDb = PrismaClient;

export function openCertificationStore(location: StoreLocation): Promise<Store<CertificationDb>> {
  return openStore({
    location,
    migrationsDir: join(__dirname, 'prisma', 'migrations'),
    createClient: (adapter) => new PrismaClient({ adapter }),
  });
}
