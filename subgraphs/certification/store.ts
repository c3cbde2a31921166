import { subgraphStore } from '../../common/database';
import { PrismaClient } from './generated/prisma/client';

export type CertificationDb = PrismaClient;

export const openCertificationStore = subgraphStore(__dirname, (adapter) => new PrismaClient({ adapter }));
