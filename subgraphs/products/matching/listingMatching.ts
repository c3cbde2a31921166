// What the matching engine (matching/catalogClustering.ts) reads of a listing
// (listing feed v1, ../shared/contract/listing-feed.md): its canonical pack
// size and blocking key (supplier and pack size), its title without what
// platforms add to every title (couriers, promotions, emoji) and with the
// product vocabulary's spellings folded, the title similarity, and the
// vocabulary's conflicts (木耳 vs 香菇, 礼盒 vs 袋装, one-sided flavours).
// Everything here is pure and deterministic: no clock, no randomness, and no
// I/O but reading its character table once, at load.
import { foldCharacters, simplifiedCharacters } from '../../../common/chineseText';
import { gtinKey } from '../../../feed';

export type PackMeasure = 'g' | 'ml' | 'count' | 'cm2';

export interface PackSize {
  measure: PackMeasure;
  /** Total amount of the sold unit, multipliers applied (grams, millilitres or pieces). */
  amount: number;
}

export interface MatchCandidate {
  productId: string;
  gtin: string | null;
  blockingKey: string;
  name: string;
}

export interface MatchInput {
  gtin: string | null;
  supplierKey: string;
  title: string;
  unit: string | null;
}

export interface MatchDecision {
  kind: 'gtin' | 'title' | 'new';
  productId: string | null;
  score: number | null;
  explanation: string;
}

export interface MatchOptions {
  threshold?: number;
}

const UNKNOWN_PACK = '?';

// ---------------------------------------------------------------------------
// Character folding
// ---------------------------------------------------------------------------

// foldCharacters (common/chineseText.ts): NFKC, lower case, simplified characters.

// ---------------------------------------------------------------------------
// Pack size
// ---------------------------------------------------------------------------

// Chinese numerals only in the shapes used before units (五斤, 两斤, 半斤, 十斤,
// 二十枚): a free run such as "二两" must leave 两 to be read as the unit.
const NUMBER = String.raw`(?:\d+(?:\.\d+)?|[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九半])`;
// Longest spellings first: at one position the regex takes the first that fits,
// and "ml" must win over "l", "公斤" over "斤".
const MEASURE_UNIT = String.raw`(?:kg|千克|公斤|市斤|斤|g|克|ml|毫升|l|升|两)`;
// Containers also act as multipliers ("250g*2袋", "每瓶300ml ... 6瓶装");
// the rest only count pieces.
const CONTAINER_UNIT = '(?:袋|瓶|罐|盒|听|包|桶|箱|支)';
const PIECE_UNIT = '(?:枚|个|颗|只|粒|双|条|根|件|份|串|片|张|幅|把|套|对|贴)';

// prettier-ignore
const MEASURE_FACTORS: Readonly<Record<string, readonly [Exclude<PackMeasure, 'count' | 'cm2'>, number]>> = {
  kg: ['g', 1000], 千克: ['g', 1000], 公斤: ['g', 1000], 市斤: ['g', 500], 斤: ['g', 500],
  g: ['g', 1], 克: ['g', 1], 两: ['g', 50], ml: ['ml', 1], 毫升: ['ml', 1], l: ['ml', 1000], 升: ['ml', 1000],
};

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

function parseNumber(text: string): number | null {
  if (/^\d/.test(text)) return Number(text);
  if (text === '半') return 0.5;
  // 十 / 十二 / 二十 / 二十四: the only Chinese numerals that occur before a unit.
  const match = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!match || (!match[1] && !match[2])) return null;
  if (!match[2]) return match[3] ? null : CHINESE_DIGITS[match[1]!]!;
  return (match[1] ? CHINESE_DIGITS[match[1]]! : 1) * 10 + (match[3] ? CHINESE_DIGITS[match[3]]! : 0);
}

function round(value: number): number {
  // 4.5 × 500 and 0.3 × 1000 must give exact integers in the key.
  return Math.round(value * 1000) / 1000;
}

// Per-piece specifications ("单果200-250g", "果径85mm以上") describe the fruit,
// not the pack: left in, "单果350g" would outvote the "8个装" of a gift box.
const PER_PIECE_SPEC = new RegExp(
  String.raw`(?:单果|单个|单颗|单只|单枚|单粒|单根|每个|每颗|每只|每枚|果径|直径)\s*(?:约)?\s*${NUMBER}\s*(?:[-~～至到]\s*${NUMBER}\s*)?(?:${MEASURE_UNIT}|mm|cm|毫米|厘米)?\s*(?:以上|左右|\+)?`,
  'gu',
);
// "4.5-5斤": listings quote the nominal size of the same pack as a range or as
// its upper end ("5斤装"), so the upper end is what compares across platforms.
const RANGE = new RegExp(String.raw`${NUMBER}\s*[-~～至到]\s*(${NUMBER}\s*${MEASURE_UNIT})`, 'gu');
// Multiplication signs, normalised only where a quantity follows, so that a
// Latin word containing "x" is left alone.
const MULTIPLY = new RegExp(String.raw`\s*[x×✕✖*]\s*(?=\d|[一二两三四五六七八九十])`, 'gu');

interface Quantity {
  kind: 'measure' | 'count' | 'operator';
  start: number;
  end: number;
  measure?: Exclude<PackMeasure, 'count' | 'cm2'>;
  amount: number;
  /** For counts: the unit word; for measures: the container of "300g/瓶", "每瓶300ml". */
  container?: string;
  /** 毛重/带箱 (gross, the nominal size) or 净重 (net). */
  weighing?: 'gross' | 'net';
}

const QUANTITY = new RegExp(
  String.raw`(每${CONTAINER_UNIT})?\s*(${NUMBER})\s*(?:(${MEASURE_UNIT})(?![a-z])(?:\s*/\s*(${CONTAINER_UNIT}))?|[小大]?(${CONTAINER_UNIT}|${PIECE_UNIT}))|(\*)`,
  'gu',
);

function scanQuantities(text: string): Quantity[] {
  const quantities: Quantity[] = [];
  for (const match of text.matchAll(QUANTITY)) {
    const start = match.index;
    const end = start + match[0].length;
    if (match[6]) {
      quantities.push({ kind: 'operator', start, end, amount: 0 });
      continue;
    }
    const value = parseNumber(match[2]!);
    if (value === null || value <= 0) continue;
    const before = text.slice(Math.max(0, start - 3), start);
    const weighing = /(?:毛重|带箱|含箱)\s*(?:约)?\s*$/u.test(before) ? 'gross' : /净重\s*(?:约)?\s*$/u.test(before) ? 'net' : undefined;
    if (match[3]) {
      const [measure, factor] = MEASURE_FACTORS[match[3]]!;
      const container = match[4] ?? match[1]?.slice(1);
      // "一斤半", "三斤半": and a half (not "5斤半价", half price).
      const andAHalf = !match[4] && /^(?:斤|公斤|两)$/u.test(match[3]) && text[end] === '半' && text[end + 1] !== '价';
      const amount = (value + (andAHalf ? 0.5 : 0)) * factor;
      quantities.push({ kind: 'measure', start, end: andAHalf ? end + 1 : end, measure, amount, container, weighing });
    } else {
      quantities.push({ kind: 'count', start, end, amount: value, container: match[5] });
    }
  }
  return quantities;
}

function isAdjacent(text: string, left: Quantity, right: Quantity): boolean {
  return /^\s*$/u.test(text.slice(left.end, right.start));
}

/** Bare numbers after a multiplication sign ("125g*2") carry no unit word. */
function trailingFactor(text: string, operator: Quantity): number | null {
  const match = new RegExp(String.raw`^\s*(${NUMBER})(?![\d.])`, 'u').exec(text.slice(operator.end));
  return match ? parseNumber(match[1]!) : null;
}

// Handicrafts are sold by size: "60×90cm", "40*60厘米" (the area, in either order).
// Length × width of a handicraft, from its first number ("30x20x15cm" is a
// 30×20 footprint, not 20×15); a height after them is left to the title.
const DIMENSIONS =
  /(?<![\d.]|[x×✕✖*]\s*)(\d+(?:\.\d+)?)\s*(?:cm|厘米|mm|毫米)?\s*[x×✕✖*]\s*(\d+(?:\.\d+)?)\s*(?:(?:cm|厘米|mm|毫米)?\s*[x×✕✖*]\s*\d+(?:\.\d+)?\s*)?(cm|厘米|mm|毫米)/u;
// "45x45" without a unit, when nothing else in the title is a quantity: a
// cushion or a picture in centimetres (two numbers of two or three digits).
const UNITLESS_DIMENSIONS = /(?<![\d.]|[x×✕✖*]\s*)(\d{2,3})\s*[x×✕✖*]\s*(\d{2,3})(?![\d.]|\s*[x×✕✖*])/u;
// "2025新货", "2024年": a year is no quantity, even glued to one ("100g*32025新货").
const VINTAGE = /20[0-3]\d(?=年|新|款|春|秋|夏|冬|产|上市)|(?<=[x×✕✖*]\s*\d{1,2}|kg|g|克|ml|毫升|斤)20[0-3]\d(?![\d.])/gu;
// "2x500克", "2 x 250g": a bare count before the amount multiplies it.
const LEADING_FACTOR = new RegExp(String.raw`(?<![\d.])(\d+)\s*\*\s*(\d+(?:\.\d+)?\s*${MEASURE_UNIT})(?![a-z])`, 'gu');

function parseQuantities(text: string): PackSize | null {
  const dimensions = DIMENSIONS.exec(text);
  if (dimensions) {
    const scale = /mm|毫米/u.test(dimensions[3]!) ? 0.1 : 1;
    return { measure: 'cm2', amount: round(Number(dimensions[1]) * scale * Number(dimensions[2]) * scale) };
  }
  const prepared = text
    .replace(HOURS_TO_SHIP, ' ')
    .replace(VINTAGE, ' ')
    .replace(PER_PIECE_SPEC, ' ')
    .replace(RANGE, '$1')
    .replace(MULTIPLY, '*')
    .replace(LEADING_FACTOR, (_whole, factor: string, amount: string) => `${amount}*${factor}`);
  const items = scanQuantities(prepared);
  const measures: Quantity[] = [];
  const counts: Quantity[] = [];
  const used = new Set<Quantity>();

  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind !== 'measure' || used.has(item)) continue;
    let amount = item.amount;
    let multiplied = false;
    const next = items[i + 1];
    const afterNext = items[i + 2];
    const previous = items[i - 1];
    const beforePrevious = items[i - 2];
    // 300ml*12瓶 / 125g*2
    if (next?.kind === 'operator' && isAdjacent(prepared, item, next)) {
      if (afterNext?.kind === 'count' && isAdjacent(prepared, next, afterNext)) {
        amount *= afterNext.amount;
        used.add(afterNext);
        multiplied = true;
      } else {
        const factor = trailingFactor(prepared, next);
        if (factor !== null) {
          amount *= factor;
          multiplied = true;
        }
      }
    }
    // 12瓶*300ml / 2袋×250g
    if (
      !multiplied &&
      previous?.kind === 'operator' &&
      beforePrevious?.kind === 'count' &&
      isAdjacent(prepared, beforePrevious, previous) &&
      isAdjacent(prepared, previous, item)
    ) {
      amount *= beforePrevious.amount;
      used.add(beforePrevious);
      multiplied = true;
    }
    measures.push({ ...item, amount, container: multiplied ? undefined : item.container });
    used.add(item);
  }

  // A multiplier standing apart from the amount ("300ml 非浓缩还原 x6瓶"), or a
  // per-container amount with its count elsewhere ("6瓶装 每瓶300ml"), applies
  // to the single amount in the title; with several amounts it is ambiguous.
  const looseCounts = items.filter((item) => item.kind === 'count' && !used.has(item));
  if (measures.length === 1) {
    const only = measures[0]!;
    const afterOperator = looseCounts.find((count) => {
      const index = items.indexOf(count);
      return items[index - 1]?.kind === 'operator' && isAdjacent(prepared, items[index - 1]!, count);
    });
    const sameContainer = only.container ? looseCounts.find((count) => count.container === only.container) : undefined;
    // "六罐装425克", "两瓶装 150g": so many containers of the amount, unless it
    // is the total ("共500g"), or the count explains the amount in brackets
    // right after it ("200g（2罐装）": 200 g in two tins).
    const containersOf =
      !only.container && !/[共总]\s*(?:重|净含量)?\s*$/u.test(prepared.slice(Math.max(0, only.start - 4), only.start))
        ? looseCounts.find(
            (count) =>
              count.amount >= 2 &&
              /^(?:袋|瓶|罐|盒|听|包|桶|支)$/u.test(count.container ?? '') &&
              prepared[count.end] === '装' &&
              !(count.start > only.start && /^\s*[(（[【]\s*$/u.test(prepared.slice(only.end, count.start))),
          )
        : undefined;
    const factor = afterOperator ?? sameContainer ?? containersOf;
    if (factor) {
      measures[0] = { ...only, amount: only.amount * factor.amount };
      used.add(factor);
    }
  }
  for (const count of looseCounts) if (!used.has(count)) counts.push(count);

  // Mass or volume decides when present: "8种 10斤" is a 10斤 box, and a
  // "12个 约5斤" pomelo pair is sold by weight. Gross (nominal) weight beats net
  // because other platforms quote the nominal "5斤装".
  const chosen = measures.find((m) => m.weighing === 'gross') ?? measures.find((m) => m.weighing === undefined) ?? measures[0];
  if (chosen?.measure) return { measure: chosen.measure, amount: round(chosen.amount) };
  const pieces = counts[0];
  // One piece says nothing about the pack: "1个" and no count at all are the
  // same thing, and must block together.
  if (pieces && pieces.amount > 1 && Number.isInteger(pieces.amount)) return { measure: 'count', amount: pieces.amount };
  const unitless = items.every((item) => item.kind === 'operator') ? UNITLESS_DIMENSIONS.exec(prepared) : null;
  if (unitless) return { measure: 'cm2', amount: round(Number(unitless[1]) * Number(unitless[2])) };
  return null;
}

/**
 * The canonical size of what one listing sells. The feed's `unit` is the
 * structured statement of the seller ("2.5kg box", "300ml×12瓶箱") and wins
 * when it names an amount; otherwise the title is read.
 */
export function parsePackSize(title: string, unit?: string | null): PackSize | null {
  return rememberedPackSize(unit ? `${title}\u0000${unit}` : title);
}

const rememberedPackSize = rememberedPerTitle((key: string): PackSize | null => {
  const [title, unit] = key.split('\u0000') as [string, string | undefined];
  const fromTitle = () => parseQuantities(foldCharacters(title));
  if (unit) {
    const fromUnit = parseQuantities(foldCharacters(unit));
    // "2盒/盒" counts boxes; the title's "2x500克" says what they hold.
    if (fromUnit && fromUnit.measure === 'count') {
      const titled = fromTitle();
      return titled && titled.measure !== 'count' ? titled : fromUnit;
    }
    // "250ml bottle" beside "250毫升×2": the unit names the container and the
    // title how many of them the listing sells.
    if (fromUnit) {
      const titled = fromTitle();
      const times = titled && titled.measure === fromUnit.measure ? titled.amount / fromUnit.amount : 1;
      return times >= 2 && Number.isInteger(times) && /[x×✕✖*]|装/u.test(foldCharacters(title)) ? titled! : fromUnit;
    }
  }
  return fromTitle();
});

export function packSizeLabel(pack: PackSize): string {
  return pack.measure === 'count' ? `${pack.amount}pcs` : `${pack.amount}${pack.measure}`;
}

export function blockingKey(input: { supplierKey: string; title: string; unit?: string | null }): string {
  const pack = parsePackSize(input.title, input.unit);
  return `${input.supplierKey}|${pack ? packSizeLabel(pack) : UNKNOWN_PACK}`;
}

// ---------------------------------------------------------------------------
// Title normalisation
// ---------------------------------------------------------------------------

// Words that platforms and shops add regardless of the product: shipping and
// couriers, freshness claims every fruit listing makes, promotion mechanics
// and shop labels. They are removed as whole phrases and replaced by a space,
// so that the CJK run is cut there and no bigram spans the gap.
// prettier-ignore
const SHOP_PHRASES: readonly string[] = [
  // shipping, couriers, delivery promises
  '顺丰包邮', '顺丰快递', '顺丰冷链', '京东快递', '京东物流', '中通快递', '圆通快递', '韵达快递',
  '申通快递', '极兔快递', '邮政快递', '包邮', '顺丰', '中通', '圆通', '韵达', '申通', '极兔', '百世',
  '邮政', 'ems', '德邦', '快递', '冷链', '次日达', '当日达', '坏果包赔', '坏果包退', '破损包赔', '包赔',
  '现货速发', '现货', '速发', '秒发', '一件代发', '产地直发', '源头直发', '基地直发', '果园直发',
  '厂家直发', '产地直供', '源头', '直发', '直供', '发货',
  // freshness and season claims
  '现摘现发', '现挖现发', '现摘', '现挖', '现发', '新鲜', '当季', '应季', '时令', '新货', '新品', '上市',
  // promotion mechanics and shop labels
  '限时特价', '限时秒杀', '特价', '限时', '秒杀', '抢购', '爆款', '热卖', '热销', '促销', '优惠', '折扣',
  '清仓', '团购价', '批发', '福利', '领券', '满减', '直播间专享', '直播间', '直播', '专享', '主播推荐',
  '推荐', '正品', '官方旗舰店', '旗舰店', '官方', '自营', '助农', '扶贫',
];

// Words that are true of the product but say nothing that tells two products
// of one supplier apart.
// prettier-ignore
const REDUNDANT_PHRASES: readonly string[] = [
  // "X特产" is a search suffix, "整箱" a pack form, "2025新茶" a season label
  '土特产', '特产', '整箱', '新茶',
  // Province names: candidates already share the supplier, hence the province,
  // so "山东寿光西红柿" and "寿光西红柿" say the same. (上海 is left out: 上海青
  // is a vegetable, and Shanghai has no relief counties.)
  ...['北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建', '江西',
    '山东', '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃',
    '青海', '宁夏', '新疆'].flatMap((province) => [`${province}省`, province]),
];

// Category words that are noise only as a word of their own ("新鲜水果",
// "新鲜蔬菜" appended for search), but part of the product inside a compound:
// 水果黄瓜 is a cucumber variety, 水果篮 a basket, 蔬菜礼盒 a box of vegetables.
const STANDALONE_GENERIC_WORDS: ReadonlySet<string> = new Set(['水果', '蔬菜', '农产品', '产品']);

function phrases(list: readonly string[], flags: string): RegExp {
  // Longest first, so "顺丰包邮" goes as one phrase and not as "顺丰" + "包邮".
  const sorted = [...list].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), flags);
}

const SHOP_NOISE = phrases(SHOP_PHRASES, 'gu');
// For display names, which keep the seller's Latin case ("EMS").
const SHOP_NOISE_ANY_CASE = phrases(SHOP_PHRASES, 'giu');
const REDUNDANT = phrases(REDUNDANT_PHRASES, 'gu');
// "48小时发货" is a promise of the shop, and its number is one of a few: a
// title that glues it to the pack ("250ML*1248小时发货") still has its "*12".
const HOURS_TO_SHIP = /(?:24|48|72)\s*小时(?:内)?(?:发货|发出|达)?/gu;
// Harvest-year labels ("2025新茶", "2024年新货") mark the season, and only some
// platforms' titles carry them.
const HARVEST_YEAR = /(?<!\d)20\d\d(?:年)?(?!\d)/gu;
// Bracketed prefixes such as 【助农扶贫】 or [限时特价] are shop labels; a bracket
// without any shop phrase (【尝鲜】, 【河南宁陵酥梨】) is kept as title text.
const SQUARE_BRACKETS = /【([^】]*)】|\[([^\]]*)\]|〔([^〕]*)〕|「([^」]*)」/gu;
// eslint-disable-next-line no-misleading-character-class -- each code point of an emoji sequence is removed on its own
const PICTOGRAPHS = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{FE0F}\u{200D}\u{20E3}]/gu;
// Pack-size phrases, removed from the title because pack size is compared
// exactly through the blocking key; left in, "5斤" vs "2.5kg" would count as a
// difference and "5斤" vs "10斤" as a similarity.
const PACK_PHRASE = new RegExp(
  [
    // "*6罐", "×125g", "*4": the multiplier half of "425g×6罐" / "2罐×125g".
    String.raw`[*]\s*${NUMBER}\s*(?:${MEASURE_UNIT}(?![a-z])|[小大]?(?:${CONTAINER_UNIT}|${PIECE_UNIT}))?(?:装)?`,
    // "10斤左右", "约5斤上下": an approximate weight is the same pack.
    String.raw`(?:毛重|净重|带箱|含箱|约)?\s*(?:每${CONTAINER_UNIT})?\s*${NUMBER}\s*(?:[-~～至到]\s*${NUMBER}\s*)?${MEASURE_UNIT}(?![a-z])(?:\s*/\s*${CONTAINER_UNIT})?(?:装)?(?:\s*(?:左右|上下))?`,
    String.raw`${NUMBER}\s*[小大]?(?:${CONTAINER_UNIT}|${PIECE_UNIT})(?:装|套)?`,
  ].join('|'),
  'gu',
);

function containsShopPhrase(text: string): boolean {
  SHOP_NOISE_ANY_CASE.lastIndex = 0;
  return SHOP_NOISE_ANY_CASE.test(text);
}

function stripBrackets(text: string): string {
  return text.replace(SQUARE_BRACKETS, (_whole: string, ...groups: unknown[]) => {
    const content = groups.slice(0, 4).find((g): g is string => typeof g === 'string') ?? '';
    return containsShopPhrase(content) ? ' ' : ` ${content} `;
  });
}

/**
 * A display name for a product created from a listing: the title without
 * emoji, promotional brackets and shop phrases (couriers, promotions, 包邮),
 * but with its wording, place names and pack size, in NFKC and simplified
 * characters and with Latin case kept ("NFC"). The name is also what later
 * listings are compared with, and it compares exactly as the title it came
 * from: both normalise to the same words.
 */
export function productNameFromTitle(title: string): string {
  let text = simplifiedCharacters(title).replace(PICTOGRAPHS, ' ');
  text = text.replace(SQUARE_BRACKETS, (whole: string, ...groups: unknown[]) => {
    const content = groups.slice(0, 4).find((g): g is string => typeof g === 'string') ?? '';
    return containsShopPhrase(content) ? ' ' : whole;
  });
  text = text.replace(SHOP_NOISE_ANY_CASE, ' ').replace(HOURS_TO_SHIP, ' ');
  // Exclamation marks and separators left at the seams of removed phrases.
  text = text
    .replace(/[!！~～]+/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return text.length > 0 ? text : title.normalize('NFKC').trim();
}

/** Folded words of a title without noise, emoji, punctuation or pack size. */
function cleanTitle(title: string): string {
  let text = foldCharacters(title).replace(PICTOGRAPHS, ' ');
  text = stripBrackets(text);
  text = text.replace(PER_PIECE_SPEC, ' ').replace(MULTIPLY, '*');
  text = text.replace(HOURS_TO_SHIP, ' ').replace(SHOP_NOISE, ' ').replace(REDUNDANT, ' ');
  text = text.replace(PACK_PHRASE, ' ').replace(HARVEST_YEAR, ' ');
  // Punctuation and symbols separate words.
  text = text.replace(/[^\p{L}\p{N}]+/gu, ' ');
  return text
    .split(' ')
    .filter((word) => word.length > 0 && !STANDALONE_GENERIC_WORDS.has(word))
    .join(' ');
}

/**
 * The title as the similarity sees it: folded (NFKC, lower case, simplified),
 * without promotional noise, emoji, punctuation or pack-size phrases, and with
 * the synonyms of the product vocabulary in one spelling (马铃薯 → 土豆,
 * 西红柿 → 番茄), so that a different word for the same thing is not counted as
 * a difference. Meant for display and debugging; compare titles with
 * `titleSimilarity`.
 */
// A batch compares each listing with every candidate of its blocking key, and
// candidates recur across listings: the pure per-title work is remembered, in
// a bounded table that is simply emptied when full.
function remembered<Value>(compute: (title: string) => Value, capacity = 20_000): (title: string) => Value {
  const table = new Map<string, Value>();
  return (title) => {
    let value = table.get(title);
    if (value === undefined) {
      if (table.size >= capacity) table.clear();
      value = compute(title);
      table.set(title, value);
    }
    return value;
  };
}

export const normalizeTitle = remembered(normalizeTitleUncached);

function normalizeTitleUncached(title: string): string {
  return cleanTitle(title)
    .split(' ')
    .map((word) => {
      let canonical = '';
      scanVocabulary(word, (lexeme, spelling) => {
        // A spelling that contains its canonical word ("秋梨膏", "礼盒装") is
        // already comparable with it; shortening it would only drop shared
        // characters between two spellings of the same thing.
        const own = lexeme?.value.split('/').pop();
        canonical += own !== undefined && !spelling.includes(own) ? own : spelling;
      });
      return canonical;
    })
    .join(' ');
}

/**
 * Remembers a pure function of a title, in a bounded table (emptied when
 * full): an import judges every pair of a block, so each title is read many
 * times.
 */
function rememberedPerTitle<T>(compute: (title: string) => T, limit = 200_000): (title: string) => T {
  const table = new Map<string, T>();
  return (title) => {
    let value = table.get(title);
    if (value === undefined) {
      value = compute(title);
      if (table.size >= limit) table.clear();
      table.set(title, value);
    }
    return value;
  };
}

/**
 * Tokens of a title: character bigrams of each CJK run (a lone character is
 * its own token) and whole Latin/number tokens. Chinese has no spaces, so
 * bigrams stand in for words without a dictionary; because runs are cut at
 * removed noise and punctuation, reordering whole words ("新鲜水果 宁陵酥梨" vs
 * "宁陵酥梨 新鲜水果") only loses the bigram across the seam.
 */
export function titleTokens(title: string): string[] {
  return [...bigramTokens(title)];
}

const bigramTokens = rememberedPerTitle((title: string): readonly string[] => {
  const tokens: string[] = [];
  for (const run of normalizeTitle(title).match(/\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu) ?? []) {
    if (!/\p{Script=Han}/u.test(run)) {
      tokens.push(run);
      continue;
    }
    const chars = [...run];
    if (chars.length === 1) tokens.push(run);
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i]! + chars[i + 1]!);
  }
  return tokens;
});

function multiset(tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

/** Dice coefficient of two token multisets, given as counts and their sizes. */
function dice(left: { counts: Map<string, number>; size: number }, right: { counts: Map<string, number>; size: number }): number {
  if (left.size === 0 || right.size === 0) return 0;
  const [small, large] = left.counts.size <= right.counts.size ? [left.counts, right.counts] : [right.counts, left.counts];
  let shared = 0;
  for (const [token, count] of small) shared += Math.min(count, large.get(token) ?? 0);
  return (2 * shared) / (left.size + right.size);
}

/** Single CJK characters and whole Latin/number tokens. */
function characterTokens(title: string): string[] {
  return normalizeTitle(title).match(/\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu) ?? [];
}

const similarityFeatures = rememberedPerTitle((title: string) => {
  const bigrams = bigramTokens(title);
  const characters = characterTokens(title);
  return { bigrams: { counts: multiset(bigrams), size: bigrams.length }, characters: { counts: multiset(characters), size: characters.length } };
});

/**
 * Similarity of two titles in [0, 1]: the mean of the Dice coefficients of
 * their bigram multisets (`titleTokens`) and of their character multisets.
 * Bigrams reward shared words and phrases; characters forgive the different
 * cuts of the same name ("宁陵酥梨" against "宁陵金顶谢花酥梨" shares two of
 * seven bigrams but all four characters). Titles that are nothing but noise and
 * pack size have no tokens and score 0: nothing vouches that they are the same.
 */
export function titleSimilarity(a: string, b: string): number {
  const left = similarityFeatures(a);
  const right = similarityFeatures(b);
  return (dice(left.bigrams, right.bigrams) + dice(left.characters, right.characters)) / 2;
}

// ---------------------------------------------------------------------------
// Product vocabulary
// ---------------------------------------------------------------------------

// Similarity alone cannot tell decoration from distinction: "脆甜多汁" missing
// from one title means nothing, "特大果" or "香菇" instead of "木耳" means a
// different product. Within one supplier and pack size, the products a seller
// offers differ in exactly these few respects, so a small vocabulary of them
// decides conflicts explicitly (and explainably) instead of hoping the score
// falls below the threshold.
//
// Values are paths: "梨/酥梨" is compatible with "梨" (a title may just say 梨子)
// but not with "桃/黄桃". Matching is longest-first, so 猕猴桃 is not 桃 and
// 小番茄 is not 番茄.
type Aspect = 'product' | 'variety' | 'grade' | 'packaging' | 'harvest' | 'process' | 'flavour';

// Checked in this order; the first conflict found is the one explained.
const ASPECTS: readonly Aspect[] = ['product', 'variety', 'grade', 'packaging', 'harvest', 'process', 'flavour'];

// value: spellings (the value itself is always a spelling of its last segment).
// prettier-ignore
const VOCABULARY: Readonly<Record<Aspect, Readonly<Record<string, string>>>> = {
  product: {
    // fruit
    苹果: '', '梨': '梨子', '梨/酥梨': '', '梨/雪梨': '', '梨/香梨': '', '梨/鸭梨': '', '梨/秋月梨': '', '梨/皇冠梨': '',
    '桃': '桃子', '桃/黄桃': '', '桃/水蜜桃': '', '桃/油桃': '', '桃/蟠桃': '', 猕猴桃: '奇异果 弥猴桃 狝猴桃', 樱桃: '车厘子',
    '橙': '橙子 甜橙', '橙/脐橙': '', '橙/冰糖橙': '', '橙/血橙': '', '柚': '柚子 蜜柚 红心柚 白心柚 沙田柚',
    '橘': '橘子 桔子 柑橘 砂糖橘 沃柑 丑橘 耙耙柑', 葡萄: '提子', '枣': '红枣 大枣 冬枣 枣子', 李子: '', 杏: '杏子',
    芒果: '', 香蕉: '', 荔枝: '', 龙眼: '桂圆', 柿子: '柿饼', 石榴: '', 蓝莓: '', 草莓: '', 西瓜: '', '甜瓜/哈密瓜': '',
    甜瓜: '香瓜', 菠萝: '凤梨', 火龙果: '', 百香果: '', 杨梅: '', 枇杷: '',
    // vegetables
    番茄: '西红柿', 圣女果: '小番茄 小西红柿 樱桃番茄 千禧果', 黄瓜: '水果黄瓜 青瓜', 茄子: '长茄 紫长茄 长茄子 圆茄',
    彩椒: '甜椒 红椒 黄椒 红黄椒', 辣椒: '青椒 尖椒 朝天椒', 土豆: '马铃薯 洋芋', 红薯: '地瓜 番薯 蜜薯', 紫薯: '', 山药: '铁棍山药',
    萝卜: '白萝卜', 胡萝卜: '', 白菜: '大白菜', 菠菜: '', 芹菜: '', 韭菜: '', 大蒜: '蒜头 紫皮蒜', 生姜: '小黄姜 老姜',
    洋葱: '', 南瓜: '贝贝南瓜', 冬瓜: '', 丝瓜: '', 苦瓜: '', 豆角: '四季豆', 玉米: '甜玉米 糯玉米', 西兰花: '',
    莲藕: '藕', '笋': '竹笋', '笋/冬笋': '', '笋/春笋': '', 笋干: '干笋', 蔬菜礼盒: '',
    // fungi
    木耳: '黑木耳 小木耳', 银耳: '', 香菇: '花菇 干香菇', 平菇: '', 金针菇: '', 杏鲍菇: '', 松茸: '',
    羊肚菌: '', 猴头菇: '', 竹荪: '',
    // grain
    大米: '', 红米: '', 黑米: '', 糯米: '香禾糯', 小米: '', 燕麦: '', 荞麦: '', '荞麦/苦荞': '', '荞麦/甜荞': '', 青稞: '', 米线: '红米线 米粉',
    面条: '挂面 荞麦面 荞面', 粉丝: '粉条 红薯粉',
    // tea: the named teas under their kind, so "毛尖" and "绿茶" agree but
    // "毛尖" and "银球茶" do not
    '茶': '茶叶', '茶/绿茶': '', '茶/绿茶/毛尖': '毛尖茶', '茶/绿茶/银球茶': '', '茶/绿茶/龙井': '',
    '茶/绿茶/玉露': '玉露茶', '茶/绿茶/瓜片': '', '茶/绿茶/碧螺春': '', '茶/绿茶/毛峰': '', '茶/绿茶/猴魁': '',
    '茶/绿茶/翠芽': '', '茶/绿茶/云雾茶': '', '茶/白茶': '', '茶/白茶/银针': '白毫银针', '茶/白茶/白牡丹': '',
    '茶/白茶/寿眉': '', '茶/红茶': '工夫红茶', '茶/红茶/滇红': '', '茶/红茶/祁红': '', '茶/红茶/正山小种': '',
    '茶/红茶/金骏眉': '', '茶/黑茶': '', '茶/黑茶/茯砖': '茯茶', '茶/黑茶/六堡茶': '', '茶/乌龙茶': '乌龙',
    '茶/乌龙茶/铁观音': '', '茶/乌龙茶/岩茶': '', '茶/普洱': '普洱茶', '茶/苦荞茶': '', '茶/花茶': '',
    '茶/花茶/茉莉花茶': '', '茶/黄茶': '',
    // meat: cuts under their animal
    '羊肉': '滩羊肉', '羊肉/羊排': '', '羊肉/羊腿': '后腿 前腿 羊后腿 羊前腿', '羊肉/羊肉卷': '羊肉片',
    '羊肉/羊蝎子': '', '羊肉/羊腩': '', '牛肉': '黄牛肉', '牛肉/牛排': '', '牛肉/牛腩': '', '牛肉/牛腱': '牛腱子',
    '牛肉/牛肉干': '', '猪肉': '土猪肉 黑猪肉', '猪肉/五花肉': '', '猪肉/排骨': '肋排', '猪肉/猪蹄': '',
    '猪肉/里脊': '', '鸡': '土鸡 走地鸡 散养鸡', '鸡/鸡腿': '', '鸡/鸡翅': '', '鸡/鸡爪': '', '鸭': '麻鸭',
    '鱼': '', '鱼/稻花鱼': '', '虾': '', '螃蟹': '大闸蟹',
    // processed food
    梨膏: '秋梨膏', 梨膏糖: '', '果汁': '', '果汁/梨汁': '', 罐头: '', 果干: '', 脆片: '', 冻干: '', 梨片: '冻干梨片',
    '蜂蜜': '土蜂蜜 百花蜜', '蜂蜜/梨花蜜': '梨花蜂蜜', '蜂蜜/槐花蜜': '', '蜂蜜/枣花蜜': '', 鱼酱: '', 酸汤: '红酸汤 白酸汤',
    辣椒酱: '', 腊肉: '', 香肠: '腊肠', 鸭蛋: '', 咸鸭蛋: '咸蛋', 鸡蛋: '土鸡蛋 柴鸡蛋', 皮蛋: '', 核桃: '', 板栗: '',
    花生: '', 花椒: '麻椒', 天麻: '天麻片', 当归: '', 枸杞: '',
    // handicraft
    果篮: '水果篮', 收纳篮: '收纳筐', 挎包: '斜挎包', 零钱包: '', 香囊: '', 筷子: '竹筷 竹筷子', 炭包: '竹炭包',
    围巾: '', 抱枕: '',
  },
  // Cultivars. Flesh colour ("红心", "黄心") is recognised by form, below.
  variety: {
    金顶谢花: '', 白蜡皮: '', 红富士: '', 花牛: '', 嘎啦: '', 黄元帅: '', 秦冠: '', 锦绣: '', 千禧: '',
    徐香: '', 红阳: '', 海沃德: '', 翠香: '', 金艳: '', 阳光玫瑰: '', 夏黑: '', 巨峰: '', 麒麟: '麒麟瓜', '8424': '',
    烟薯: '烟薯25 烟薯25号', 西瓜红: '', 秦美: '', 沙糖: '', 纽荷尔: '', 脐橙72: '',
  },
  grade: {
    特级: '', 一级: '', 二级: '', 三级: '', 特等: '', 一等: '一等品', 二等: '二等品', 优等: '优等品', 特大果: '特大',
    大果: '', 中果: '', 小果: '',
  },
  packaging: {
    // 简装 is "not a gift box": the plain bag or bulk form of a product.
    礼盒: '礼盒装 礼品盒 礼品装', '简装': '简易装', '简装/袋装': '', '简装/散装': '', 罐装: '', 盒装: '', 家庭装: '',
    '瓶装': '', '瓶装/小瓶': '小瓶装', '瓶装/大瓶': '大瓶装', '瓶装/玻璃瓶': '玻璃瓶装',
  },
  harvest: { 明前: '', 雨前: '', 明后: '', 春茶: '', 秋茶: '', 头采: '' },
  // How tea leaves were fixed; how dried goods were dried is decoration.
  process: { 炒青: '', 蒸青: '', 烘青: '', 晒青: '' },
  // Flavours written without 味; "X味" is recognised by form, below.
  flavour: {
    原味: '', 川贝枇杷: '川贝', 无糖: '', 低糖: '', 香辣: '', 麻辣: '', 微辣: '', 特辣: '', 五香: '', 酸辣: '',
    椒盐: '', 奶油: '', 蒜香: '', 盐焗: '', 炭烧: '', 焦糖: '', 芝士: '', 抹茶: '', 山椒: '', 藤椒: '', 孜然: '',
  },
};

// A formal grade named on one side only marks a graded line of the seller
// ("特级大果" next to the plain box); a size word like 大果 is decoration unless
// both sides use one. A flavour on one side only is a variant of the plain
// product; 原味 is the plain product.
const ONE_SIDED_GRADES: ReadonlySet<string> = new Set(['特级', '一级', '二级', '三级', '特等', '一等', '二等', '优等', '特大果']);
const PLAIN_FLAVOUR = '原味';

interface Lexeme {
  aspect: Aspect;
  value: string;
}

const LEXICON: ReadonlyMap<string, Lexeme> = (() => {
  const lexicon = new Map<string, Lexeme>();
  for (const aspect of ASPECTS) {
    for (const [value, spellings] of Object.entries(VOCABULARY[aspect])) {
      const own = value.split('/').pop()!;
      for (const spelling of [own, ...spellings.split(' ').filter(Boolean)]) {
        if (lexicon.has(spelling)) throw new Error(`vocabulary spelling ${spelling} is listed twice`);
        lexicon.set(spelling, { aspect, value });
      }
    }
  }
  return lexicon;
})();

const LONGEST_SPELLING = Math.max(...[...LEXICON.keys()].map((word) => [...word].length));

type Profile = Record<Aspect, string[]>;

// Forms that name an attribute whatever the word: "奶油味", "椒盐味" (the
// flavour is the one or two characters before 味), and flesh colour "红心",
// "黄心" of kiwi, pomelo, sweet potato or watermelon. Stems that make 味 a
// general word ("口味", "家乡味", "原味" = the plain product) or a smell
// ("除味", "无异味") are not flavours.
const NOT_FLAVOURS: ReadonlySet<string> = new Set([
  '口',
  '风',
  '美',
  '好',
  '滋',
  '品',
  '韵',
  '回',
  '香',
  '鲜',
  '甜',
  '年',
  '野',
  '原',
  '人情',
  '家乡',
  '妈妈',
  '儿时',
  '记忆',
  '地道',
  '正宗',
  '传统',
  '老家',
  '除',
  '去',
  '异',
  '无',
  '气',
  '入',
  '调',
  '臭',
]);
const FLESH_COLOUR_FORM = /([红黄绿白紫金])心/gu;

function addValue(profile: Profile, aspect: Aspect, value: string): void {
  if (!profile[aspect].includes(value)) profile[aspect].push(value);
}

// What fruit is made into: the head of a compound that starts with the fruit.
const MADE_FROM_FRUIT: ReadonlySet<string> = new Set(['果干', '果汁']);

/** The length of the longest vocabulary spelling at `i`, 0 when none starts there. */
function spellingAt(chars: readonly string[], i: number): number {
  for (let length = Math.min(LONGEST_SPELLING, chars.length - i); length > 0; length--) {
    if (LEXICON.has(chars.slice(i, i + length).join(''))) return length;
  }
  return 0;
}

/**
 * Walks a word left to right taking the longest vocabulary spelling at each
 * position; characters outside the vocabulary are reported one by one. When a
 * spelling starting inside the one found reaches beyond it, and the part they
 * share is a word itself, the later one is the word's head, as Chinese
 * compounds end in their head: 酥梨膏 is a 梨膏 (of 酥梨), 麻鸭蛋 a 鸭蛋 (of 麻鸭).
 */
function scanVocabulary(word: string, visit: (lexeme: Lexeme | undefined, spelling: string) => void): void {
  const chars = [...word];
  for (let i = 0; i < chars.length;) {
    let length = spellingAt(chars, i);
    for (let k = 1; k < length; k++) {
      // Only where the shared part is a word itself (酥梨 ends in 梨; 玉米 does not end in a word, so 玉米粉 stays 玉米),
      // or the later spelling is what fruit is made into (芒果干 is a 果干, 芒果汁 a 果汁).
      const later = spellingAt(chars, i + k);
      if (k + later > length && (LEXICON.has(chars.slice(i + k, i + length).join('')) || MADE_FROM_FRUIT.has(chars.slice(i + k, i + k + later).join('')))) {
        length = 0;
        break;
      }
    }
    if (length === 0) {
      visit(undefined, chars[i]!);
      i += 1;
      continue;
    }
    const spelling = chars.slice(i, i + length).join('');
    visit(LEXICON.get(spelling), spelling);
    i += length;
  }
}

const profileOf = remembered(profileOfUncached);

function profileOfUncached(title: string): Profile {
  const profile: Profile = { product: [], variety: [], grade: [], packaging: [], harvest: [], process: [], flavour: [] };
  // The uncanonicalised words: "红心柚" must still show its 红心.
  for (const word of cleanTitle(title).split(' ')) {
    for (const match of word.matchAll(/味/gu)) {
      const stem = [...word.slice(0, match.index)].slice(-2).join('');
      if (stem && !NOT_FLAVOURS.has(stem) && !NOT_FLAVOURS.has([...stem].pop()!)) addValue(profile, 'flavour', stem);
    }
    for (const match of word.matchAll(FLESH_COLOUR_FORM)) addValue(profile, 'variety', `${match[1]}心`);
    scanVocabulary(word, (lexeme) => {
      if (lexeme) addValue(profile, lexeme.aspect, lexeme.value);
    });
  }
  profile.flavour = profile.flavour.filter((value) => value !== PLAIN_FLAVOUR);
  return profile;
}

function compatible(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** Drops values implied by a more specific one ("梨" next to "梨/酥梨"). */
function mostSpecific(values: readonly string[]): string[] {
  return values.filter((value) => !values.some((other) => other.startsWith(`${value}/`)));
}

function displayValues(values: readonly string[]): string {
  return values.length ? values.map((v) => v.split('/').pop()).join('+') : 'none';
}

/**
 * Why two titles of the same supplier and pack size cannot be the same
 * product, or null when nothing in the vocabulary tells them apart: both name
 * something of the same aspect and nothing they name is compatible (木耳 vs
 * 香菇, 礼盒 vs 袋装, 明前 vs 雨前), or one side names a formal grade or a
 * flavour the other does not.
 */
const rememberedProfile = rememberedPerTitle((title: string) => profileOf(title));
const compactText = rememberedPerTitle((title: string) => cleanTitle(title).replace(/\s+/gu, ''));

export function titleConflict(a: string, b: string): string | null {
  return vocabularyConflict(a, b)?.text ?? null;
}

/** The conflict of `titleConflict`, and whether it is one title naming what the other leaves out. */
export function vocabularyConflict(a: string, b: string): { text: string; oneSided: boolean } | null {
  const left = rememberedProfile(a);
  const right = rememberedProfile(b);
  // A flavour one title names and the other writes without 味 ("甜辣味" beside
  // "甜辣香酥") is the same flavour.
  const leftText = compactText(a);
  const rightText = compactText(b);
  for (const aspect of ASPECTS) {
    let l = mostSpecific(left[aspect]);
    let r = mostSpecific(right[aspect]);
    if (aspect === 'flavour') {
      const shared = [...l.filter((value) => rightText.includes(value)), ...r.filter((value) => leftText.includes(value))];
      l = l.filter((value) => !shared.includes(value));
      r = r.filter((value) => !shared.includes(value));
    }
    const differ = l.length > 0 && r.length > 0 && !l.some((x) => r.some((y) => compatible(x, y)));
    const oneSided =
      (l.length === 0) !== (r.length === 0) && (aspect === 'flavour' || (aspect === 'grade' && [...l, ...r].some((g) => ONE_SIDED_GRADES.has(g))));
    if (differ || oneSided) return { text: `${aspect} ${displayValues(l)} vs ${displayValues(r)}`, oneSided: !differ };
  }
  return null;
}

// ---------------------------------------------------------------------------
// GTIN
// ---------------------------------------------------------------------------

/**
 * A stored GTIN's key (the feed's gtinKey: GTIN-8/12/13/14 as the 14-digit
 * form, so a UPC-A and the EAN-13 with a leading zero are the same code).
 * Validation (check digit) is the feed module's job; here a value without
 * digits is simply no GTIN.
 */
export function canonicalGtin(gtin: string | null | undefined): string | null {
  const digits = (gtin ?? '').replace(/\D/g, '');
  return digits.length === 0 ? null : gtinKey(digits);
}
