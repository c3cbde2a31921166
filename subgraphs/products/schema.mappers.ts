import type { Edge, PageInfo } from '../../common/connection';
import type { Product } from './generated/prisma/client';

/** Supplier as the products subgraph knows it: a reference the suppliers subgraph resolves. */
export interface SupplierReference {
  id: string;
}

/** Region as the products subgraph knows it: a reference the suppliers subgraph resolves. */
export interface RegionReference {
  code: string;
}

/** A page of products; the total is counted only when a client asks for it. */
export interface ProductConnection {
  edges: Edge<Product>[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

export interface Money {
  amount: { toFixed(digits: number): string } | string;
  currency: string;
}

export interface PriceRange {
  min: Money;
  max: Money;
}
