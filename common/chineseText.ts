// Character folding shared by everything that compares Chinese text written
// by many hands: listing titles (products) and supplier names (suppliers).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Traditional → simplified (data/traditional.txt, from OpenCC's tables): sellers
// in Taiwan and Hong Kong, and "premium" styling on mainland shops, write the
// same words in traditional characters.
const TRADITIONAL_TO_SIMPLIFIED: ReadonlyMap<string, string> = new Map(
  readFileSync(join(__dirname, 'data', 'traditional.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => [...line] as [string, string]),
);

/** NFKC (full-width digits, Latin and brackets) and simplified characters; Latin case kept. */
export function simplifiedCharacters(text: string): string {
  let folded = '';
  for (const ch of text.normalize('NFKC')) folded += TRADITIONAL_TO_SIMPLIFIED.get(ch) ?? ch;
  return folded;
}

/** NFKC (full-width digits, Latin and brackets), lower case, simplified characters. */
export function foldCharacters(text: string): string {
  return simplifiedCharacters(text).toLowerCase();
}
