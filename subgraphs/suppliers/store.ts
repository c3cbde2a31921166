import { subgraphStore } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type SuppliersDb = PrismaClient;

export const openSuppliersStore = subgraphStore(__dirname, (adapter) => new PrismaClient({ adapter }));
