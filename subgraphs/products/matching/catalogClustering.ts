// The one matching engine: decides which listings are one catalog product.
// The file import, upsertListings and the evaluation script all call
// `clusterListings` over the listings an import touches, new and known alike.
//
// Why a clustering and not a per-listing lookup: a decision taken listing by
// listing depends on which listings came first (the first title names the
// product every later one is compared with). Here the listings of a block
// (same county-level supplier and pack size) are decided as a whole, from the
// strongest evidence down, and every choice depends only on the set of
// listings: the same rows in any order, in one import or in several, give the
// same partition.
//
// The rules, strongest first:
//   1. equal GTIN (as GTIN-14) links, always, across blocks too;
//   2. two different GTINs never link;
//   3. listings of one platform link only when near copies (two shops of one
//      marketplace): otherwise two of its listings of one supplier and size
//      are two products, and the words that tell them apart are the
//      supplier's variety words for that block (evidence from the data, not a
//      vocabulary); a pair where each side has its own such word is a
//      conflict, a word on one side only lowers the score;
//   4. the product vocabulary's conflicts (木耳 vs 香菇, 礼盒 vs 袋装, flavours)
//      and single-character attributes of one kind (白 vs 黑, 片 vs 块, 生 vs 熟);
//   5. title similarity at or above the link threshold links, best pairs
//      first, a cluster never taking two listings of one platform; between the
//      suggestion threshold and the link threshold the pair is recorded as a
//      match suggestion for staff instead. A block that holds one listing per
//      platform, one GTIN at most and no conflict at all looks like one
//      product's listings, and links at a lower threshold: there, titles
//      that share little (梨子 beside 雪梨) have no sibling to be confused with.
// Frozen products (certified at any time, or arranged by staff) keep their
// listings together and are never merged with another existing product by
// the engine: such a link becomes a suggestion.
import { blockingKey, canonicalGtin, normalizeTitle, packSizeLabel, parsePackSize, titleSimilarity, vocabularyConflict } from './listingMatching';
import { attributeConflict, differingKind, titleWords, wholeWords, wordsMissingFrom, type ValuesByKind } from './titleWords';

// Chosen on the tuning half (test/fixtures/matching/tuning) with
// `npm run evaluate:matching -- --sweep`: precision stays at 0.988 from 0.15
// to 0.30 because conflicts, not the score, keep products apart, while recall
// falls from 0.86 to 0.80; the suggestion band below is kept narrow (about one
// suggestion per 100 rows).
export const DEFAULT_LINK_THRESHOLD = 0.2;
export const DEFAULT_SUGGEST_THRESHOLD = 0.15;
// The link threshold in a block that looks like one product's listings (rule
// 5 above), chosen on the three tuning sets: from 0.20 to 0.05 recall rose
// by 1.3, 0.5 and 2.9 points at unchanged precision; 0 gave tuning3 0.3
// more and links titles that share nothing at all.
export const ONE_PRODUCT_BLOCK_THRESHOLD = 0.05;
// A variety word of the block on one side only.
const ONE_SIDED_PENALTY = 0.15;

export interface ClusterInput {
  /** Unique and stable: the platform and the platform's SKU. */
  key: string;
  platform: string;
  supplierKey: string;
  title: string;
  unit: string | null;
  gtin: string | null;
  /** The catalog product the listing belongs to now; null for a new listing. */
  productId: string | null;
}

export interface ClusterOptions {
  linkThreshold?: number;
  suggestThreshold?: number;
  /** Products the engine must not merge with another existing product nor take listings from. */
  frozenProducts?: ReadonlySet<string>;
  /** Product pairs staff kept apart (`a|b` with a < b). */
  keptApart?: ReadonlySet<string>;
}

export interface ListingDecision {
  kind: 'gtin' | 'title' | 'new' | 'kept';
  score: number | null;
  explanation: string;
}

export interface MatchSuggestionDraft {
  left: string;
  right: string;
  score: number;
  evidence: string;
}

export interface Clustering {
  /** Each cluster's listing keys, sorted; clusters sorted by their first key. */
  clusters: string[][];
  decisions: Map<string, ListingDecision>;
  suggestions: MatchSuggestionDraft[];
}

interface Node {
  input: ClusterInput;
  title: TitleRecord;
  gtin: string | null;
  block: string;
  pack: string;
}

export function productPairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

interface PairVerdict {
  score: number;
  conflict: string | null;
  /** The conflict is one title naming a flavour or grade the other leaves out. */
  oneSided: boolean;
  /** The conflict is the block's variety words, each side's own (the pair's first listing's first). */
  varieties: readonly [readonly string[], readonly string[]] | null;
  evidence: string;
}

// Two listings of one platform this alike are the same product listed twice
// (two shops of one marketplace), not two products.
export const SAME_PLATFORM_THRESHOLD = 0.8;

/**
 * The block's variety words: words that tell two listings of one platform
 * apart (listings of one platform that are not near copies of each other are
 * different products). A word counts when the platforms agree on it: as soon
 * as two platforms list several of the block's products, it must separate
 * listings on both. And it must name one product the way a variety does:
 * carried by listings of at least two platforms, never by two listings of
 * one platform (one product is listed once per platform). Praise a shop adds
 * now and then (现杀, 回甘) or a platform's own label fails that, and so
 * does a word every product of the block carries.
 */
function varietyWords(nodes: readonly Node[]): Set<string> {
  const platformsOf = new Map<string, Set<string>>();
  const listingsPerPlatform = new Map<string, number>();
  for (const node of nodes) listingsPerPlatform.set(node.input.platform, (listingsPerPlatform.get(node.input.platform) ?? 0) + 1);
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!;
      const b = nodes[j]!;
      if (a.input.platform !== b.input.platform) continue;
      if (a.gtin !== null && a.gtin === b.gtin) continue;
      const facts = pairFacts(a.title, b.title);
      if (facts.similarity >= SAME_PLATFORM_THRESHOLD) continue;
      for (const word of [...facts.onlyLeft, ...facts.onlyRight]) {
        if (!platformsOf.has(word)) platformsOf.set(word, new Set());
        platformsOf.get(word)!.add(a.input.platform);
      }
    }
  }
  const need = Math.min(2, [...listingsPerPlatform.values()].filter((count) => count >= 2).length);
  const namesOneProduct = (word: string): boolean => {
    const carriers = nodes.filter((node) => titleWords(node.title.title).text.includes(word)).map((node) => node.input.platform);
    return carriers.length >= 2 && new Set(carriers).size === carriers.length;
  };
  return new Set([...platformsOf].filter(([word, platforms]) => platforms.size >= need && namesOneProduct(word)).map(([word]) => word));
}

// Sizes of the piece rather than of the pack ("果径80mm", "80果", "8-10钱" for
// crayfish, "中号", an instrument's "41英寸" or "1.25米", a pot's "24cm", paper's
// "六尺"), and colours written as such ("红色", "（黑）"): two listings that both
// state one of a kind and state different ones sell different grades. Finishes
// of handicrafts count as colours: 碳化 bamboo is dark, 本色 and 原木色 are the
// natural one. A length inside dimensions ("60×90cm") is the pack's, not read here.
const PIECE_SPECS =
  /(\d+)\s*(?:[-~～至]\s*(\d+)\s*)?(钱|mm|毫米|#|果(?![园汁酱干片冻脯篮]))|([特超]?[大中小])号|(碳化|原木|原|本|[红黄黑白绿蓝紫灰粉])色|[（(]([红黄黑白绿蓝紫灰粉])[)）]|(碳化)(?!色)|(\d+)\s*(?:英寸|寸|inch)|(?<![\d.]|[x×✕✖*]\s*)(\d+(?:\.\d+)?)\s*(米|cm|厘米|公分)(?!\s*[x×✕✖*]\s*\d)|([一二三四五六七八九十]|\d+)尺/gu;
const NATURAL_FINISH = new Set(['原木', '原', '本']);

const pieceSpecsTable = new Map<string, ValuesByKind>();

function pieceSpecs(title: string): ValuesByKind {
  const known = pieceSpecsTable.get(title);
  if (known) return known;
  const specs = computePieceSpecs(title);
  if (pieceSpecsTable.size >= PAIR_FACTS_LIMIT) pieceSpecsTable.clear();
  pieceSpecsTable.set(title, specs);
  return specs;
}

/** The title's piece specifications by kind: size, inch, 号, colour, length (in cm) and 尺. */
function computePieceSpecs(title: string): ValuesByKind {
  const specs = new Map<string, Set<string>>();
  const add = (kind: string, value: string) => {
    if (!specs.has(kind)) specs.set(kind, new Set());
    specs.get(kind)!.add(value);
  };
  for (const match of title.normalize('NFKC').toLowerCase().matchAll(PIECE_SPECS)) {
    if (match[8]) add('inch', match[8]);
    else if (match[4]) add('号', match[4]);
    else if (match[5] || match[6] || match[7]) {
      const colour = match[5] ?? match[6] ?? match[7]!;
      add('colour', NATURAL_FINISH.has(colour) ? '原' : colour);
    } else if (match[9]) add('length', String(Math.round(Number(match[9]) * (match[10] === '米' ? 100 : 1) * 10) / 10));
    else if (match[11]) add('尺', match[11]);
    else add('size', `${match[1]}${match[2] ? `-${match[2]}` : ''}${match[3] === '钱' ? '钱' : 'mm'}`);
  }
  return specs;
}

// A colour written straight before the same name in both titles (黑牛肝菌 and
// 黄牛肝, 青花椒 and 红花椒) names two varieties when the colours differ.
const COLOUR_BEFORE_NAME = /([红黄黑白绿蓝紫灰粉青])(?=(\p{Script=Han}{2}))/gu;

function coloursByName(title: string): Map<string, Set<string>> {
  const colours = new Map<string, Set<string>>();
  for (const match of normalizeTitle(title).matchAll(COLOUR_BEFORE_NAME)) {
    const name = match[2]!;
    if (!colours.has(name)) colours.set(name, new Set());
    colours.get(name)!.add(match[1]!);
  }
  return colours;
}

function colourConflict(a: string, b: string): string | null {
  const left = coloursByName(a);
  const right = coloursByName(b);
  for (const [name, colours] of left) {
    const other = right.get(name);
    if (other && ![...colours].some((colour) => other.has(colour))) return `colour ${[...colours].join('+')}${name} vs ${[...other].join('+')}${name}`;
  }
  return null;
}

function specConflict(a: string, b: string): string | null {
  const differing = differingKind(pieceSpecs(a), pieceSpecs(b));
  return differing ? `piece ${differing}` : colourConflict(a, b);
}

/** What two titles say of each other, whatever the block: the same in every import. */
interface PairFacts {
  similarity: number;
  /** A vocabulary, piece-size or attribute conflict. */
  vocabulary: string | null;
  /** The vocabulary's conflict is a flavour or grade one title names and the other leaves out. */
  oneSided: boolean;
  /** Content words of the left title the right one does not say, and the other way round. */
  onlyLeft: readonly string[];
  onlyRight: readonly string[];
  shared: readonly string[];
}

// Every import re-judges the blocks it touches, so the same stored pairs come
// back batch after batch: their title facts are remembered (bounded, emptied
// when full), and only the block-dependent part is computed again. Each title
// is looked up once per run and its pairs by a number, not by both titles.
const PAIR_FACTS_LIMIT = 300_000;
interface TitleRecord {
  id: number;
  title: string;
  pairs: Map<number, PairFacts>;
}
const titleRecords = new Map<string, TitleRecord>();
let rememberedPairs = 0;
// Never reused, so a record a run still holds after the table was emptied is never mistaken for a new one.
let nextTitleId = 0;

function titleRecord(title: string): TitleRecord {
  let record = titleRecords.get(title);
  if (!record) {
    record = { id: nextTitleId++, title, pairs: new Map() };
    titleRecords.set(title, record);
  }
  return record;
}

function pairFacts(left: TitleRecord, right: TitleRecord): PairFacts {
  let facts = left.pairs.get(right.id);
  if (facts) return facts;
  const wa = titleWords(left.title);
  const wb = titleWords(right.title);
  const vocabulary = vocabularyConflict(left.title, right.title);
  facts = {
    similarity: titleSimilarity(left.title, right.title),
    vocabulary: vocabulary?.text ?? specConflict(left.title, right.title) ?? attributeConflict(left.title, right.title),
    oneSided: vocabulary?.oneSided ?? false,
    onlyLeft: wordsMissingFrom(wa, wb),
    onlyRight: wordsMissingFrom(wb, wa),
    shared: wa.words.filter((word) => wb.text.includes(word)),
  };
  if (rememberedPairs >= PAIR_FACTS_LIMIT) {
    // Records still held by a run keep working; they only forget their pairs.
    for (const record of titleRecords.values()) record.pairs.clear();
    titleRecords.clear();
    rememberedPairs = 0;
  }
  left.pairs.set(right.id, facts);
  rememberedPairs++;
  return facts;
}

function judgePair(a: Node, b: Node, variety: ReadonlySet<string>): PairVerdict {
  const { similarity, vocabulary, oneSided: leftOut, onlyLeft, onlyRight, shared } = pairFacts(a.title, b.title);
  const onlyA = onlyLeft.filter((word) => variety.has(word));
  const onlyB = onlyRight.filter((word) => variety.has(word));
  // A variety word and its parts are one difference, whatever the segmenter made of it.
  const oneSided = wholeWords(onlyA).length + wholeWords(onlyB).length;
  const score = round2(Math.max(0, similarity - (onlyA.length > 0 && onlyB.length > 0 ? 0 : oneSided * ONE_SIDED_PENALTY)));
  const conflict = vocabulary ?? (onlyA.length > 0 && onlyB.length > 0 ? `variety words ${onlyA.join('+')} vs ${onlyB.join('+')}` : null);
  const words = `shared words ${shared.join('+') || 'none'}; conflicting ${[...onlyA, ...onlyB].join('+') || 'none'}`;
  return {
    score,
    conflict,
    oneSided: leftOut,
    varieties: vocabulary === null && conflict !== null ? [onlyA, onlyB] : null,
    evidence: `same supplier and pack size ${a.pack}; ${words}; score ${score.toFixed(2)}`,
  };
}

class Clusters {
  private readonly parent: number[];
  readonly platforms: Set<string>[];
  readonly gtins: Set<string>[];
  readonly frozen: Set<string>[];
  readonly products: Set<string>[];
  readonly members: number[][];

  constructor(nodes: readonly Node[], frozenProducts: ReadonlySet<string>) {
    this.parent = nodes.map((_, i) => i);
    this.members = nodes.map((_, i) => [i]);
    this.platforms = nodes.map((node) => new Set([node.input.platform]));
    this.gtins = nodes.map((node) => new Set(node.gtin ? [node.gtin] : []));
    this.products = nodes.map((node) => new Set(node.input.productId ? [node.input.productId] : []));
    this.frozen = nodes.map((node) => new Set(node.input.productId && frozenProducts.has(node.input.productId) ? [node.input.productId] : []));
  }

  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }

  union(a: number, b: number): number {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return ra;
    if (rb < ra) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    for (const set of ['platforms', 'gtins', 'frozen', 'products'] as const) for (const value of this[set][rb]!) this[set][ra]!.add(value);
    this.members[ra]!.push(...this.members[rb]!);
    this.members[rb] = [];
    return ra;
  }
}

/**
 * Partitions `listings` into catalog products. Pure and deterministic: the
 * input order does not matter (listings are handled in key order and pairs in
 * score order, ties by key).
 */
export function clusterListings(listings: readonly ClusterInput[], options: ClusterOptions = {}): Clustering {
  const linkThreshold = options.linkThreshold ?? DEFAULT_LINK_THRESHOLD;
  const suggestThreshold = Math.min(options.suggestThreshold ?? DEFAULT_SUGGEST_THRESHOLD, linkThreshold);
  const frozenProducts = options.frozenProducts ?? new Set<string>();
  const keptApart = options.keptApart ?? new Set<string>();
  const nodes: Node[] = [...listings]
    .sort((a, b) => compareText(a.key, b.key))
    .map((input) => {
      const pack = parsePackSize(input.title, input.unit);
      return {
        input,
        title: titleRecord(input.title),
        gtin: canonicalGtin(input.gtin),
        block: blockingKey({ supplierKey: input.supplierKey, title: input.title, unit: input.unit }),
        pack: pack ? packSizeLabel(pack) : 'unknown',
      };
    });
  const clusters = new Clusters(nodes, frozenProducts);
  const decisions = new Map<string, ListingDecision>();
  const apart = (a: number, b: number): boolean => {
    for (const p of clusters.products[a]!) for (const q of clusters.products[b]!) if (p !== q && keptApart.has(productPairKey(p, q))) return true;
    return false;
  };
  const frozenClash = (a: number, b: number): boolean =>
    clusters.frozen[a]!.size > 0 && clusters.frozen[b]!.size > 0 && [...clusters.frozen[a]!].some((p) => !clusters.frozen[b]!.has(p));
  // An existing product with listings in both clusters is being put back together, never a merge of two products.
  const existingMerge = (a: number, b: number): boolean => {
    const left = clusters.products[a]!;
    const right = clusters.products[b]!;
    return left.size > 0 && right.size > 0 && ![...left].some((p) => right.has(p));
  };

  // Frozen products stay whole.
  const firstOfProduct = new Map<string, number>();
  nodes.forEach((node, i) => {
    const productId = node.input.productId;
    if (productId === null || !frozenProducts.has(productId)) return;
    const first = firstOfProduct.get(productId);
    if (first === undefined) firstOfProduct.set(productId, i);
    else clusters.union(first, i);
  });

  // 1. Equal GTIN links, whatever the block.
  const suggestions = new Map<string, MatchSuggestionDraft>();
  const suggest = (i: number, j: number, score: number, evidence: string) => {
    const a = nodes[i]!.input;
    const b = nodes[j]!.input;
    const [left, right] = compareText(a.key, b.key) <= 0 ? [a.key, b.key] : [b.key, a.key];
    const id = `${left}\u0000${right}`;
    const known = suggestions.get(id);
    if (!known || known.score < score) suggestions.set(id, { left, right, score, evidence });
  };
  const byGtin = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (node.gtin === null) return;
    const first = byGtin.get(node.gtin);
    if (first === undefined) {
      byGtin.set(node.gtin, i);
      return;
    }
    const a = clusters.find(first);
    const b = clusters.find(i);
    if (a === b) return;
    if (frozenClash(a, b) || apart(a, b))
      suggest(
        first,
        i,
        1,
        `same GTIN ${node.gtin}, but ${frozenClash(a, b) ? 'both products are certified or arranged by staff' : 'staff kept the products apart'}`,
      );
    else clusters.union(a, b);
    decisions.set(node.input.key, { kind: 'gtin', score: null, explanation: `same GTIN ${node.gtin} as ${nodes[first]!.input.key}` });
    // The first listing of a GTIN is explained by the second, whichever of them is new.
    const firstKey = nodes[first]!.input.key;
    if (!decisions.has(firstKey)) decisions.set(firstKey, { kind: 'gtin', score: null, explanation: `same GTIN ${node.gtin} as ${node.input.key}` });
  });

  // 2. Pairs within each block, judged once.
  const blocks = new Map<string, number[]>();
  nodes.forEach((node, i) => {
    const block = blocks.get(node.block);
    if (block) block.push(i);
    else blocks.set(node.block, [i]);
  });
  interface Edge {
    i: number;
    j: number;
    verdict: PairVerdict;
    /** The block's link threshold. */
    link: number;
  }
  const edges: Edge[] = [];
  const verdicts = new Map<number, Map<number, PairVerdict>>();
  for (const members of blocks.values()) {
    const blockNodes = members.map((i) => nodes[i]!);
    const variety = varietyWords(blockNodes);
    const judged: { i: number; j: number; verdict: PairVerdict }[] = [];
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const i = members[x]!;
        const j = members[y]!;
        const a = nodes[i]!;
        const b = nodes[j]!;
        if (a.gtin !== null && b.gtin !== null && a.gtin !== b.gtin) continue;
        const verdict = judgePair(a, b, variety);
        if (!verdicts.has(i)) verdicts.set(i, new Map());
        verdicts.get(i)!.set(j, verdict);
        judged.push({ i, j, verdict });
      }
    }
    const gtins = new Set(blockNodes.map((node) => node.gtin).filter((gtin) => gtin !== null));
    const oneProduct =
      blockNodes.length >= 2 &&
      new Set(blockNodes.map((node) => node.input.platform)).size === blockNodes.length &&
      gtins.size <= 1 &&
      judged.every(({ verdict }) => verdict.conflict === null);
    const link = oneProduct ? Math.min(ONE_PRODUCT_BLOCK_THRESHOLD, linkThreshold) : linkThreshold;
    for (const pair of judged) if (pair.verdict.conflict === null && pair.verdict.score >= Math.min(suggestThreshold, link)) edges.push({ ...pair, link });
  }
  const verdictOf = (i: number, j: number) => (i < j ? verdicts.get(i)?.get(j) : verdicts.get(j)?.get(i));
  edges.sort((e, f) => f.verdict.score - e.verdict.score || e.i - f.i || e.j - f.j);

  // A conflict between x and y that a GTIN waives, where a listing with x's
  // GTIN agrees with y: for a flavour or grade that x leaves out, the GTIN
  // says what the title did not; for variety words, when that listing also
  // says y's own (广式 beside 原香 of one sausage), they are two names of one
  // product.
  const saidByGtin = (x: number, y: number, words: readonly string[]) =>
    nodes[x]!.gtin !== null &&
    clusters.members[clusters.find(x)]!.some(
      (z) =>
        z !== x &&
        nodes[z]!.gtin === nodes[x]!.gtin &&
        verdictOf(z, y)?.conflict === null &&
        words.every((word) => titleWords(nodes[z]!.title.title).text.includes(word)),
    );
  const waived = (x: number, y: number, pair: PairVerdict): boolean => {
    if (pair.oneSided) return saidByGtin(x, y, []) || saidByGtin(y, x, []);
    if (!pair.varieties) return false;
    const [first, second] = x < y ? [x, y] : [y, x];
    const [ofFirst, ofSecond] = pair.varieties;
    return saidByGtin(first, second, ofSecond) || saidByGtin(second, first, ofFirst);
  };

  // 3. Best pairs first.
  for (const { i, j, verdict, link } of edges) {
    const a = clusters.find(i);
    const b = clusters.find(j);
    if (a === b) continue;
    const samePlatform = [...clusters.platforms[a]!].some((p) => clusters.platforms[b]!.has(p));
    if (samePlatform && verdict.score < SAME_PLATFORM_THRESHOLD) continue;
    if (verdict.score < link) {
      if (verdict.score >= suggestThreshold) suggest(i, j, verdict.score, verdict.evidence);
      continue;
    }
    const gtins = new Set([...clusters.gtins[a]!, ...clusters.gtins[b]!]);
    if (gtins.size > 1) continue;
    // Every pair across the two clusters that the block judged must be free of
    // conflict, but for one a GTIN waives (`waived`, above).
    const clash = clusters.members[a]!.some((x) =>
      clusters.members[b]!.some((y) => {
        const pair = verdictOf(x, y);
        return pair?.conflict && !waived(x, y, pair);
      }),
    );
    if (clash) continue;
    if (frozenClash(a, b) || apart(a, b) || (existingMerge(a, b) && [...clusters.products[a]!, ...clusters.products[b]!].some((p) => frozenProducts.has(p)))) {
      suggest(
        i,
        j,
        verdict.score,
        `${verdict.evidence}; not linked: ${apart(a, b) ? 'staff kept the products apart' : 'a certified or staff-arranged product'}`,
      );
      continue;
    }
    clusters.union(a, b);
    for (const k of [i, j]) {
      const key = nodes[k]!.input.key;
      const other = nodes[k === i ? j : i]!.input.key;
      if (!decisions.has(key))
        decisions.set(key, {
          kind: 'title',
          score: verdict.score,
          explanation: `linked to ${other}: ${verdict.evidence} ≥ ${link.toFixed(2)}${link < linkThreshold ? " (one product's listings: one per platform, no conflict)" : ''}`,
        });
    }
  }

  const result: string[][] = [];
  nodes.forEach((_node, i) => {
    if (clusters.find(i) !== i) return;
    result.push(clusters.members[i]!.map((k) => nodes[k]!.input.key).sort(compareText));
  });
  result.sort((a, b) => compareText(a[0]!, b[0]!));
  // Each listing's best candidate: its first edge in score order.
  const bestEdge = new Map<number, Edge>();
  for (const edge of edges) {
    if (!bestEdge.has(edge.i)) bestEdge.set(edge.i, edge);
    if (!bestEdge.has(edge.j)) bestEdge.set(edge.j, edge);
  }
  // For a listing without any candidate: the closest listing of its block that a conflict kept away, and the conflict.
  const closestConflict = (index: number): string => {
    let closest: { other: number; verdict: PairVerdict } | undefined;
    for (const other of blocks.get(nodes[index]!.block)!) {
      const verdict = other === index ? undefined : verdictOf(index, other);
      if (verdict?.conflict && (!closest || verdict.score > closest.verdict.score)) closest = { other, verdict };
    }
    return closest ? ` (closest ${nodes[closest.other]!.input.key}: ${closest.verdict.conflict})` : '';
  };
  nodes.forEach((node, index) => {
    if (decisions.has(node.input.key)) return;
    const edge = bestEdge.get(index);
    const best = edge ? { edge, other: nodes[edge.i === index ? edge.j : edge.i]! } : undefined;
    decisions.set(node.input.key, {
      kind: 'new',
      score: best?.edge.verdict.score ?? null,
      explanation: best
        ? `no link: best candidate ${best.other.input.key} (${best.edge.verdict.evidence}) below ${best.edge.link.toFixed(2)} or blocked (same platform, GTIN or a conflict across the cluster)`
        : `no candidate with the same supplier and pack size ${node.pack} without a conflict${closestConflict(index)}`,
    });
  });
  // Suggestions only between listings that ended apart, one per pair of clusters.
  const byClusters = new Map<string, MatchSuggestionDraft>();
  const clusterOf = new Map<string, number>();
  nodes.forEach((node, i) => clusterOf.set(node.input.key, clusters.find(i)));
  for (const draft of [...suggestions.values()].sort((a, b) => b.score - a.score || compareText(a.left, b.left) || compareText(a.right, b.right))) {
    const a = clusterOf.get(draft.left)!;
    const b = clusterOf.get(draft.right)!;
    if (a === b) continue;
    const id = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (!byClusters.has(id)) byClusters.set(id, draft);
  }
  return { clusters: result, decisions, suggestions: [...byClusters.values()] };
}

export interface ProductAssignment {
  /** Cluster index → existing product id kept by it, or null for a new product. */
  productOf: (string | null)[];
  /** Existing products left with no listing (among those the caller passed all listings of). */
  emptied: string[];
}

/**
 * Gives each cluster a catalog product id: a product keeps its id while any
 * of its listings stays with it, the cluster with most of its listings keeps
 * it (ties to the smaller id), and a cluster that keeps none is a new product.
 */
export function assignProducts(clustering: Clustering, listings: readonly ClusterInput[]): ProductAssignment {
  const productOfKey = new Map(listings.map((listing) => [listing.key, listing.productId]));
  const candidates: { cluster: number; productId: string; count: number }[] = [];
  clustering.clusters.forEach((keys, cluster) => {
    const counts = new Map<string, number>();
    for (const key of keys) {
      const productId = productOfKey.get(key);
      if (productId) counts.set(productId, (counts.get(productId) ?? 0) + 1);
    }
    for (const [productId, count] of counts) candidates.push({ cluster, productId, count });
  });
  candidates.sort((a, b) => b.count - a.count || compareText(a.productId, b.productId) || a.cluster - b.cluster);
  const productOf: (string | null)[] = clustering.clusters.map(() => null);
  const taken = new Set<string>();
  for (const { cluster, productId } of candidates) {
    if (productOf[cluster] !== null || taken.has(productId)) continue;
    productOf[cluster] = productId;
    taken.add(productId);
  }
  const existing = new Set([...productOfKey.values()].filter((id): id is string => id !== null));
  return { productOf, emptied: [...existing].filter((id) => !taken.has(id)).sort(compareText) };
}

/** What an import must write after the engine decided over its component. */
export interface ImportPlan {
  /** Listing key → the product it belongs to: an existing id, or `new:<n>` for the n-th new product. */
  productOf: Map<string, string>;
  /** Listing keys of the component, by their new product label, for naming new products. */
  newProducts: Map<string, string[]>;
  /** Existing products that keep no listing. */
  emptied: string[];
  decisions: Map<string, ListingDecision>;
  suggestions: MatchSuggestionDraft[];
}

export const NEW_PRODUCT_PREFIX = 'new:';

/**
 * Runs the engine over one import's component (the touched blocks' known
 * listings, the listings sharing a GTIN with them and every listing of the
 * products they belong to, plus the new listings) and says where each
 * listing goes. Known listings of frozen products never move.
 */
export function planImport(component: readonly ClusterInput[], options: ClusterOptions = {}): ImportPlan {
  const clustering = clusterListings(component, options);
  const assignment = assignProducts(clustering, component);
  const productOf = new Map<string, string>();
  const newProducts = new Map<string, string[]>();
  let created = 0;
  clustering.clusters.forEach((keys, index) => {
    let productId = assignment.productOf[index];
    if (!productId) {
      productId = `${NEW_PRODUCT_PREFIX}${++created}`;
      newProducts.set(productId, keys);
    }
    for (const key of keys) productOf.set(key, productId);
  });
  return { productOf, newProducts, emptied: assignment.emptied, decisions: clustering.decisions, suggestions: clustering.suggestions };
}

/** The listing that names a new product: the longest title after cleaning, ties to the smaller key. */
export function namingListing<T extends { key: string; title: string }>(members: readonly T[]): T {
  return [...members].sort((a, b) => titleWords(b.title).text.length - titleWords(a.title).text.length || compareText(a.key, b.key))[0]!;
}
