import { badUserInput } from './errors';

/** Required free text: trimmed, non-empty, at most `max` characters. */
export function requiredText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badUserInput(field, 'is required and must not be blank');
  if ([...trimmed].length > max) throw badUserInput(field, `must be at most ${max} characters`);
  return trimmed;
}

/** Optional free text: trimmed; blank reads as absent. */
export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return requiredText(field, value, max);
}

/**
 * A region code prefix argument, trimmed; null when absent. Region codes are
 * GB/T 2260 digits: a prefix selects a province (2), city (4) or county (6).
 */
export function regionCodePrefix(regionCode: string | null | undefined, field: string): string | null {
  if (regionCode === null || regionCode === undefined) return null;
  const trimmed = regionCode.trim();
  if (!/^\d{1,6}$/.test(trimmed)) throw badUserInput(field, 'must be 1 to 6 digits of a GB/T 2260 region code');
  return trimmed;
}
