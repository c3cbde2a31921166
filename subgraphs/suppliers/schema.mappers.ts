import type { Edge, PageInfo } from '../../common/connection';
import type { Supplier } from './generated/prisma/client';

/** A page of suppliers; the total is counted only when a client asks for it. */
export interface SupplierConnection {
  edges: Edge<Supplier>[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}
