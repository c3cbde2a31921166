// The fields of the listing feed (../shared/contract/listing-feed.md) and the
// one mapping from a feed row to the upsertListings mutation's ListingInput:
// a feed field is named in snake_case in the file and in camelCase in the
// mutation, and nowhere else is that renaming written.
import type { ListingInput } from './generated/listingInput';

/** Each feed field, in the contract's order, with the ListingInput field it becomes. */
export const LISTING_INPUT_FIELD = {
  platform_sku: 'platformSku',
  title: 'title',
  price: 'price',
  currency: 'currency',
  gtin: 'gtin',
  unit: 'unit',
  stock: 'stock',
  monthly_sales: 'monthlySales',
  url: 'url',
  category: 'category',
  supplier_name: 'supplierName',
  supplier_region_code: 'supplierRegionCode',
  description: 'description',
} as const satisfies Record<string, keyof ListingInput>;

export type FeedField = keyof typeof LISTING_INPUT_FIELD;

export const FEED_FIELDS = Object.keys(LISTING_INPUT_FIELD) as readonly FeedField[];

export const REQUIRED_FEED_FIELDS: readonly FeedField[] = ['platform_sku', 'title', 'price', 'supplier_name', 'supplier_region_code'];

export const FEED_CATEGORIES = ['FRUIT', 'VEGETABLE', 'GRAIN', 'TEA', 'MEAT_POULTRY', 'AQUATIC', 'PROCESSED_FOOD', 'HANDICRAFT', 'OTHER'] as const;

export type FeedCategory = (typeof FEED_CATEGORIES)[number];

/**
 * A listing that passed validation: a ListingInput with every field present
 * (null when absent, the currency CNY when absent) and in its normal form,
 * ready to be sent or stored.
 */
export type ValidListing = { [Field in keyof ListingInput]-?: Exclude<ListingInput[Field], undefined> } & { currency: string; category: FeedCategory | null };

/** A mutation's listing before validation: whatever a caller sent under each field. */
export type UncheckedListing = { readonly [Field in keyof ListingInput]?: unknown };
