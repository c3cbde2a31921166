// The words of a listing title, for telling one supplier's products apart.
//
// Chinese titles have no spaces. A segmenter (jieba, compiled to WebAssembly
// and shipped inside its npm package) cuts the cleaned title into words with
// the project's own dictionary on top of jieba's; synonyms are folded to one
// spelling, generic and decorative words and place and region names are
// dropped, and single-character attributes (白, 片, 生) are read by kind, all
// from the data files beside this module, each entry with its reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { add_word as addWord, cut, cut_for_search as cutForSearch } from 'jieba-wasm';
import { normalizeTitle } from './listingMatching';

const DATA_DIR = join(__dirname, 'data');

/** Non-empty lines of a data file without their `#` comments. */
function dataLines(file: string): string[] {
  return readFileSync(join(DATA_DIR, file), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*$/u, '').trim())
    .filter((line) => line.length > 0);
}

/**
 * A data file whose lines each name a head and then its members (a synonym
 * line: the spelling every other word is folded to; an attribute line: its
 * kind): member → head. A member listed twice is refused.
 */
function loadHeadedLines(file: string): Map<string, string> {
  const headOf = new Map<string, string>();
  for (const line of dataLines(file)) {
    const [head, ...members] = line.split(/\s+/u);
    for (const member of members) {
      if (headOf.has(member)) throw new Error(`${file} lists ${member} twice`);
      headOf.set(member, head!);
    }
  }
  return headOf;
}

const SYNONYMS = loadHeadedLines('synonyms.txt');
const SYNONYM_SPELLING = new RegExp([...SYNONYMS.keys()].map((spelling) => spelling.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')).join('|'), 'u');
// Generic words name a kind, not a product (橙子 beside 脐橙), decorative
// words praise without telling products apart (脆甜, 农家), and place names
// say where: none of them is a conflict.
const IGNORED = new Set([...dataLines('generic.txt'), ...dataLines('decorative.txt'), ...dataLines('places.txt'), ...dataLines('regions.txt')]);

// Units say the pack size, which the block already compares.
const MEASURE_WORDS = /^(?:厘米|毫米|公分|公斤|千克|市斤|毫升|英寸)$/u;

let dictionaryLoaded = false;
/** Teaches jieba the project's words (about a second, once per process). */
export function loadDictionary(): void {
  if (dictionaryLoaded) return;
  dictionaryLoaded = true;
  // A high frequency makes jieba keep the word whole rather than cut it. The
  // generic and decorative words too: cut apart (伴手礼非遗 as 伴手 + 礼非 + 遗)
  // their pieces would no longer be known as words to ignore.
  const known = [
    ...dataLines('dictionary.txt'),
    ...SYNONYMS.keys(),
    ...new Set(SYNONYMS.values()),
    ...dataLines('generic.txt'),
    ...dataLines('decorative.txt'),
    ...dataLines('regions.txt'),
  ];
  for (const word of known) addWord(word, 100_000);
}

function canonicalWord(word: string): string {
  return SYNONYMS.get(word) ?? word;
}

/** Values by kind: a title's single-character attributes, or its piece sizes. */
export type ValuesByKind = ReadonlyMap<string, ReadonlySet<string>>;

export interface TitleWords {
  /** The title as compared: normalized, synonyms folded, without spaces. */
  text: string;
  /** Content words of two or more characters, synonyms folded, generic and decorative words dropped. */
  words: readonly string[];
  /** Its single-character attributes by kind (attributes.txt). */
  attributes: ValuesByKind;
}

const cache = new Map<string, TitleWords>();
const CACHE_LIMIT = 200_000;

/** The comparable words of a title (remembered in a bounded table). */
export function titleWords(title: string): TitleWords {
  let value = cache.get(title);
  if (value) return value;
  loadDictionary();
  const words = new Set<string>();
  const attributes = new Map<string, Set<string>>();
  let text = '';
  for (const chunk of normalizeTitle(title).split(' ')) {
    if (!chunk) continue;
    const tokens = cut(chunk, true);
    readAttributes(tokens, attributes);
    // A word to ignore goes whole: the parts a search cut makes of it (科尔
    // of 科尔沁, 版纳 of 西双版纳) are no words of the title.
    for (const whole of tokens) {
      if (IGNORED.has(canonicalWord(whole.trim()))) continue;
      for (const raw of cutForSearch(whole, true)) {
        const word = canonicalWord(raw.trim());
        if ([...word].length >= 2 && !IGNORED.has(word) && !/^[\da-z.]+$/u.test(word) && !MEASURE_WORDS.test(word)) words.add(word);
      }
    }
    // The text keeps every character, so a word is looked for in the other
    // title as written there, whatever the segmenter made of it; synonyms are
    // folded by whole words, so only a chunk that holds a spelling is cut again.
    text += `${SYNONYM_SPELLING.test(chunk) ? tokens.map(canonicalWord).join('') : chunk} `;
  }
  // Single-character attributes are words too, so that the block's evidence
  // can find 结 against 豆腐 as it finds 槐花蜜 against 枣花蜜.
  for (const values of attributes.values()) for (const attribute of values) words.add(attribute);
  value = { text: text.trim(), words: [...words].sort(), attributes };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(title, value);
  return value;
}

const ATTRIBUTE_KIND = loadHeadedLines('attributes.txt');

/**
 * Adds the single-character attributes of one segmented chunk, by kind: a
 * character of attributes.txt that the segmenter leaves as a word of its
 * own, standing alone or next to a word of two or more characters.
 */
function readAttributes(tokens: readonly string[], attributes: Map<string, Set<string>>): void {
  tokens.forEach((token, i) => {
    const kind = ATTRIBUTE_KIND.get(token);
    if (kind === undefined) return;
    const beside = [tokens[i - 1], tokens[i + 1]].some((other) => other !== undefined && [...other].length >= 2);
    if (tokens.length > 1 && !beside) return;
    if (!attributes.has(kind)) attributes.set(kind, new Set());
    attributes.get(kind)!.add(token);
  });
}

/** The single-character attributes a title names, by kind. */
export function titleAttributes(title: string): ValuesByKind {
  return titleWords(title).attributes;
}

/** The first kind both sides name and name differently, as "kind left vs right", or null. */
export function differingKind(left: ValuesByKind, right: ValuesByKind): string | null {
  for (const [kind, values] of left) {
    const other = right.get(kind);
    if (other && ![...values].some((value) => other.has(value))) return `${kind} ${[...values].join('+')} vs ${[...other].join('+')}`;
  }
  return null;
}

/** Two titles that name different attributes of one kind (白 vs 黑, 片 vs 块), or null. */
export function attributeConflict(a: string, b: string): string | null {
  return differingKind(titleAttributes(a), titleAttributes(b));
}

/** Words of `a` that `b` does not say anywhere in its text. */
export function wordsMissingFrom(a: TitleWords, b: TitleWords): string[] {
  return a.words.filter((word) => !b.text.includes(word));
}

/**
 * The segmenter also yields the parts of a long word (小龙 and 龙虾 of 小龙虾):
 * the words of `words` that are no part of another, each difference once.
 */
export function wholeWords(words: readonly string[]): string[] {
  return words.filter((word) => !words.some((other) => other !== word && other.includes(word)));
}
