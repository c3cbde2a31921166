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
