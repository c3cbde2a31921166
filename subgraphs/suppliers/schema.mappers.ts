import type { Connection } from '../../common/connection';
import type { Supplier } from './generated/prisma/client';

/** A page of suppliers; the total is counted only when a client asks for it. */
export type SupplierConnection = Connection<Supplier>;
