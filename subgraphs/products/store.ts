import { subgraphStore } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type ProductsDb = PrismaClient;

export const openProductsStore = subgraphStore(__dirname, (adapter) => new PrismaClient({ adapter }));
