import type { Connection } from '../../common/connection';
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
export type ProductConnection = Connection<Product>;

export interface Money {
  amount: { toFixed(digits: number): string } | string;
  currency: string;
}

export interface PriceRange {
  min: Money;
  max: Money;
}

export type ListingResultStatus = 'CREATED' | 'UPDATED' | 'UNCHANGED' | 'REJECTED';

/** The outcome for one input listing of upsertListings. */
export interface ListingResult {
  index: number;
  platformSku: string | null;
  status: ListingResultStatus;
  /** The listing written or found; its row is loaded only when selected. */
  listingId: string | null;
  productId: string | null;
  productCreated: boolean;
  match: string | null;
  problems: { field: string; reason: string }[];
}

export interface UpsertListingsResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  newProducts: number;
  linkedToExisting: number;
  results: ListingResult[];
}

/** A listing moved by staff: the rows are loaded only when selected. */
export interface MoveListingResult {
  listingId: string;
  fromId: string;
  toId: string;
}
