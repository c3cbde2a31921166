// The member-platform listing feed (../shared/contract/listing-feed.md), as
// both of its sides use it: the importer reads a feed file into listings,
// the products subgraph's upsertListings mutation receives them. Each listing
// is validated and put in the mutation's ListingInput shape here, once, by
// the same rules on both sides.
export { FEED_CATEGORIES, FEED_FIELDS, REQUIRED_FEED_FIELDS, type FeedCategory, type FeedField, type ValidListing } from './fields';
export { gtinCheckDigit, gtinKey, isValidGtin } from './gtin';
export { isRegionCodeFormat, validateFeedRow, validateListing, type ListingCheck, type RowProblem } from './validation';
export type { FeedEncoding } from './encoding';
export { FeedUnreadableError, MAX_RECORD_CHARS, type FeedRecord, type FeedValue } from './records';
export { detectFormat, openFeed, readFeed, type FeedFormat, type OpenedFeed } from './feedReader';
