// GS1 GTINs (the feed's gtin field): the check digit, and the key under which
// two spellings of one item's GTIN compare equal.

const GTIN_LENGTHS: ReadonlySet<number> = new Set([8, 12, 13, 14]);
const DIGITS = /^\d+$/;

/** The lengths a GTIN may have: GTIN-8, -12 (UPC-A), -13 (EAN-13) and -14. */
export function isGtinLength(length: number): boolean {
  return GTIN_LENGTHS.has(length);
}

/**
 * GS1 check digit for the digits before it. Weights run 3,1,3,… from the
 * rightmost body digit, which is what makes one algorithm serve GTIN-8, -12,
 * -13 and -14 alike.
 */
export function gtinCheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new RangeError(`GTIN body must be digits, got "${body}"`);
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (body.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidGtin(gtin: string): boolean {
  if (!GTIN_LENGTHS.has(gtin.length) || !DIGITS.test(gtin)) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === gtin.charCodeAt(gtin.length - 1) - 48;
}

/**
 * Comparison key of a GTIN: GS1 defines GTIN-8/12/13 as GTIN-14 with leading
 * zeros, so the UPC-A 012345678905 and the EAN-13 0012345678905 are one item.
 */
export function gtinKey(gtin: string): string {
  return gtin.padStart(14, '0');
}
