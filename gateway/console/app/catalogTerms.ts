import type { ProductCategory } from '../generated/operations';

export const CATEGORIES = [
  'FRUIT',
  'VEGETABLE',
  'GRAIN',
  'TEA',
  'MEAT_POULTRY',
  'AQUATIC',
  'PROCESSED_FOOD',
  'HANDICRAFT',
  'OTHER',
] as const satisfies readonly ProductCategory[];

/** "2026-12-03 10:20" in the viewer's time zone. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? formatTime(iso).slice(0, 10) : '';
}
