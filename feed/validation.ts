// Validation of one listing of the member-platform feed
// (../shared/contract/listing-feed.md), whichever way it arrives: a row of a
// feed file (validateFeedRow, by feed field name) or a listing of the
// upsertListings mutation (validateListing, by ListingInput field name). Both
// run the same rules, report problems by feed field and give the same
// ValidListing, so the importer and the products subgraph accept and refuse
// a listing for the same reasons. No Node stream or GraphQL API is used here.
import { FEED_CATEGORIES, LISTING_INPUT_FIELD, type FeedCategory, type FeedField, type UncheckedListing, type ValidListing } from './fields';
import { gtinCheckDigit, isGtinLength } from './gtin';

export interface RowProblem {
  /** The feed field at fault (snake_case, as in the file), e.g. price or gtin. */
  field: string;
  /** A whole sentence an operator can act on. */
  reason: string;
}

export type ListingCheck = { listing: ValidListing; problems: [] } | { listing: null; problems: RowProblem[] };

/** Listing.price is Decimal(12, 2). */
export const MAX_PRICE_INTEGER_DIGITS = 10;
/** stock and monthly_sales are 32-bit Int columns and GraphQL Int. */
export const MAX_COUNT = 2_147_483_647;
export const MAX_URL_LENGTH = 2048;

export const TEXT_LIMITS = {
  platform_sku: 100,
  title: 300,
  unit: 50,
  supplier_name: 200,
  description: 5000,
} as const;

const CATEGORY_SET: ReadonlySet<string> = new Set(FEED_CATEGORIES);

const DECIMAL = /^(\d+)(?:\.(\d{1,2}))?$/;
const DIGITS = /^\d+$/;
const CURRENCY = /^[A-Z]{3}$/;
const REGION_CODE = /^\d{6}$/;
// NUL cannot be stored in a PostgreSQL text column at all, and the other C0
// controls only ever come from broken exports; tab and line breaks are kept
// because descriptions legitimately contain them.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** The six-digit shape of a GB/T 2260 county code; whether the county exists is checked against the region table. */
export function isRegionCodeFormat(code: string): boolean {
  return REGION_CODE.test(code);
}

type Problems = RowProblem[];

function isAbsent(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'string') return false;
  if (value.length === 0) return true;
  // Most values start with a printable ASCII or CJK character and cannot be
  // blank; only the others pay for a trim (this runs 13 times a row).
  const first = value.charCodeAt(0);
  if ((first > 32 && first < 127) || (first >= 0x3400 && first < 0xfe00)) return false;
  return value.trim() === '';
}

function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Trimmed text of a field, or undefined after recording why it is unusable.
 * Numbers are taken as their decimal text because JSON Lines feeds often send
 * SKUs and region codes unquoted.
 */
function text(value: unknown, field: keyof typeof TEXT_LIMITS | 'supplier_region_code', problems: Problems): string | null | undefined {
  if (isAbsent(value)) return null;
  let result: string;
  if (typeof value === 'string') result = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) result = String(value);
  else {
    problems.push({ field, reason: `Must be text, not ${describe(value)}.` });
    return undefined;
  }
  if (CONTROL_CHARACTER.test(result)) {
    problems.push({ field, reason: 'Contains control characters (such as NUL); remove them from the text.' });
    return undefined;
  }
  if (field !== 'supplier_region_code') {
    const max = TEXT_LIMITS[field];
    // Only long strings need the exact code point count; .length counts
    // UTF-16 units and so never undercounts.
    if (result.length > max && codePointLength(result) > max) {
      problems.push({ field, reason: `Too long: at most ${max} characters are allowed.` });
      return undefined;
    }
  }
  return result;
}

function required(value: unknown, field: keyof typeof TEXT_LIMITS | 'supplier_region_code', problems: Problems): string | undefined {
  const result = text(value, field, problems);
  if (result === null) {
    problems.push({ field, reason: 'This field is required but is missing or blank.' });
    return undefined;
  }
  return result;
}

function describe(value: unknown): string {
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}

function price(value: unknown, problems: Problems): string | undefined {
  if (isAbsent(value)) {
    problems.push({ field: 'price', reason: 'This field is required but is missing or blank.' });
    return undefined;
  }
  // A JSON number is taken as the shortest decimal text that reads back as
  // that double (39.9 → "39.9"), so 0.1 + 0.2 is rejected for its 17 decimals
  // instead of being silently rounded.
  const textValue = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : null;
  if (textValue === null) {
    problems.push({ field: 'price', reason: `Must be a decimal amount such as 39.90, not ${describe(value)}.` });
    return undefined;
  }
  const match = DECIMAL.exec(textValue);
  if (!match) {
    let reason: string;
    if (/^-\s*\d/.test(textValue)) reason = 'Must not be negative.';
    else if (/^\d+\.\d{3,}$/.test(textValue)) reason = 'Has more than 2 decimal places: send the amount in yuan and fen, e.g. 39.90.';
    else
      reason = `Must be a decimal amount such as 39.90 (digits, optional point and up to 2 decimals; no currency sign, exponent or thousands separator), got "${clip(textValue)}".`;
    problems.push({ field: 'price', reason });
    return undefined;
  }
  const integer = match[1].replace(/^0+(?=\d)/, '');
  if (integer.length > MAX_PRICE_INTEGER_DIGITS) {
    problems.push({ field: 'price', reason: 'Too large: the highest accepted price is 9999999999.99.' });
    return undefined;
  }
  return `${integer}.${(match[2] ?? '').padEnd(2, '0')}`;
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

function count(value: unknown, field: 'stock' | 'monthly_sales', problems: Problems): number | null | undefined {
  if (isAbsent(value)) return null;
  let result: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      problems.push({ field, reason: 'Must be a whole number of units.' });
      return undefined;
    }
    result = value;
  } else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!DIGITS.test(trimmed)) {
      let reason = 'Must be a whole number of units, such as 120.';
      if (/^-\s*\d/.test(trimmed)) reason = 'Must not be negative.';
      else if (/^\d*\.\d+$/.test(trimmed)) reason = 'Must be a whole number of units, not a fraction.';
      problems.push({ field, reason });
      return undefined;
    }
    // Long digit strings would lose precision as a number; their size alone rejects them.
    result = trimmed.length > 10 ? Infinity : Number(trimmed);
  } else {
    problems.push({ field, reason: `Must be a whole number of units, not ${describe(value)}.` });
    return undefined;
  }
  if (result < 0) {
    problems.push({ field, reason: 'Must not be negative.' });
    return undefined;
  }
  if (!Number.isInteger(result) && Number.isFinite(result)) {
    problems.push({ field, reason: 'Must be a whole number of units, not a fraction.' });
    return undefined;
  }
  if (result > MAX_COUNT) {
    problems.push({ field, reason: `Too large: at most ${MAX_COUNT} is accepted.` });
    return undefined;
  }
  return result;
}

function currency(value: unknown, problems: Problems): string | undefined {
  if (isAbsent(value)) return 'CNY';
  const code = typeof value === 'string' ? value.trim().toUpperCase() : null;
  if (code === null || !CURRENCY.test(code)) {
    problems.push({ field: 'currency', reason: 'Must be a three-letter ISO 4217 code such as CNY.' });
    return undefined;
  }
  return code;
}

function gtin(value: unknown, problems: Problems): string | null | undefined {
  if (isAbsent(value)) return null;
  let digits: string;
  if (typeof value === 'string') digits = value.trim();
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) digits = String(value);
  else {
    problems.push({ field: 'gtin', reason: `Must be a string of 8, 12, 13 or 14 digits, not ${describe(value)}.` });
    return undefined;
  }
  if (!DIGITS.test(digits)) {
    problems.push({ field: 'gtin', reason: 'Must contain digits only (no spaces, dashes or letters).' });
    return undefined;
  }
  if (!isGtinLength(digits.length)) {
    // A GTIN sent as a JSON number loses its leading zeros, which is the usual
    // way a valid UPC-A arrives here with 11 digits.
    const hint = typeof value === 'number' ? ' Send it as a string: a number loses leading zeros.' : '';
    problems.push({ field: 'gtin', reason: `Must have 8, 12, 13 or 14 digits, but has ${digits.length}.${hint}` });
    return undefined;
  }
  const expected = gtinCheckDigit(digits.slice(0, -1));
  if (expected !== digits.charCodeAt(digits.length - 1) - 48) {
    problems.push({
      field: 'gtin',
      reason: `Wrong check digit: ends in ${digits[digits.length - 1]} but the check digit for these digits is ${expected}; check the barcode for a typo.`,
    });
    return undefined;
  }
  return digits;
}

function url(value: unknown, problems: Problems): string | null | undefined {
  if (isAbsent(value)) return null;
  if (typeof value !== 'string') {
    problems.push({ field: 'url', reason: `Must be an https:// link, not ${describe(value)}.` });
    return undefined;
  }
  const link = value.trim();
  if (link.length > MAX_URL_LENGTH) {
    problems.push({ field: 'url', reason: `Too long: at most ${MAX_URL_LENGTH} characters are allowed.` });
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(link);
  } catch {
    problems.push({ field: 'url', reason: `Not a valid link: it must be a full https:// address, got "${clip(link)}".` });
    return undefined;
  }
  if (parsed.protocol !== 'https:') {
    problems.push({ field: 'url', reason: `Must use https, not ${parsed.protocol.replace(/:$/, '')}.` });
    return undefined;
  }
  if (parsed.hostname === '') {
    problems.push({ field: 'url', reason: 'Must name a host, e.g. https://item.example.com/123.' });
    return undefined;
  }
  return link;
}

function category(value: unknown, problems: Problems): FeedCategory | null | undefined {
  if (isAbsent(value)) return null;
  const code = typeof value === 'string' ? value.trim().toUpperCase() : null;
  if (code === null || !CATEGORY_SET.has(code)) {
    problems.push({ field: 'category', reason: `Must be one of ${FEED_CATEGORIES.join(', ')}.` });
    return undefined;
  }
  return code as FeedCategory;
}

function regionCode(value: unknown, problems: Problems): string | undefined {
  const code = required(value, 'supplier_region_code', problems);
  if (code === undefined) return undefined;
  if (!isRegionCodeFormat(code)) {
    problems.push({ field: 'supplier_region_code', reason: `Must be a six-digit GB/T 2260 county code such as 411423, got "${clip(code)}".` });
    return undefined;
  }
  return code;
}

/**
 * Every problem of a listing is reported, in feed field order, so an operator
 * can fix a row in one pass; `value` reads a field by its feed name.
 */
function checkListing(value: (field: FeedField) => unknown): ListingCheck {
  const problems: Problems = [];
  const platformSku = required(value('platform_sku'), 'platform_sku', problems);
  const title = required(value('title'), 'title', problems);
  const listingPrice = price(value('price'), problems);
  const listingCurrency = currency(value('currency'), problems);
  const listingGtin = gtin(value('gtin'), problems);
  const unit = text(value('unit'), 'unit', problems);
  const stock = count(value('stock'), 'stock', problems);
  const monthlySales = count(value('monthly_sales'), 'monthly_sales', problems);
  const listingUrl = url(value('url'), problems);
  const listingCategory = category(value('category'), problems);
  const supplierName = required(value('supplier_name'), 'supplier_name', problems);
  const supplierRegionCode = regionCode(value('supplier_region_code'), problems);
  const description = text(value('description'), 'description', problems);

  if (
    problems.length > 0 ||
    platformSku === undefined ||
    title === undefined ||
    listingPrice === undefined ||
    listingCurrency === undefined ||
    listingGtin === undefined ||
    unit === undefined ||
    stock === undefined ||
    monthlySales === undefined ||
    listingUrl === undefined ||
    listingCategory === undefined ||
    supplierName === undefined ||
    supplierRegionCode === undefined ||
    description === undefined
  ) {
    return { listing: null, problems };
  }
  return {
    listing: {
      platformSku,
      title,
      price: listingPrice,
      currency: listingCurrency,
      gtin: listingGtin,
      unit,
      stock,
      monthlySales,
      url: listingUrl,
      category: listingCategory,
      supplierName,
      supplierRegionCode,
      description,
    },
    problems: [],
  };
}

/**
 * A row of a feed file, by feed field name (the CSV header or JSON key).
 * Keys that are not feed fields are ignored; blank optional values count as
 * absent. The listing it gives is the mutation's input for that row.
 */
export function validateFeedRow(row: Record<string, unknown>): ListingCheck {
  return checkListing((field) => row[field]);
}

/** A listing of the upsertListings mutation, by ListingInput field name; problems still name the feed field. */
export function validateListing(input: UncheckedListing): ListingCheck {
  return checkListing((field) => input[LISTING_INPUT_FIELD[field]]);
}
