// Writes a large, realistic listing feed for load tests of the importer:
//   npx tsx scripts/generateFeed.ts --rows 1000000 --format csv --out /tmp/feed.csv [--seed 42] [--platform jd] [--bad-every 0] [--bases 1]
// The same options always give the same bytes, so a benchmark or a failing
// import can be reproduced. Rows are written as they are made: a million-row
// file never exists in memory.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { FEED_FIELDS, gtinCheckDigit } from '../feed';

export interface FeedGeneratorOptions {
  rows: number;
  seed?: number;
  /** Platform code: prefixes the SKUs and picks the link host. */
  platform?: string;
  /** Every n-th row (n, 2n, …) is made bad in one of BAD_ROW_KINDS, in turn; 0 for none. */
  badEvery?: number;
  /**
   * How many production bases each named supplier has (default 1). Each base
   * is a supplier of its own, so a large feed spreads over many catalog
   * products, as a real platform's catalog does, instead of a few dozen.
   */
  bases?: number;
}

/** What makes an injected bad row bad; all but unknown-region fail validateFeedRow. */
export const BAD_ROW_KINDS = [
  'missing-price',
  'bad-price',
  'bad-gtin-check-digit',
  'bad-region-format',
  'unknown-region',
  'missing-title',
  'http-url',
  'negative-stock',
] as const;

export type BadRowKind = (typeof BAD_ROW_KINDS)[number];

/** The kind of bad row at 0-based `index`, or null for a good row. */
export function badRowKind(index: number, badEvery: number): BadRowKind | null {
  if (badEvery <= 0 || (index + 1) % badEvery !== 0) return null;
  return BAD_ROW_KINDS[((index + 1) / badEvery - 1) % BAD_ROW_KINDS.length];
}

interface Pack {
  /** How the title says it: platforms mix 斤 and kg for the same box. */
  labels: readonly string[];
  unit: string;
  cents: number;
}

interface ProductTemplate {
  names: readonly string[];
  /** Producers of this product in the county; listings of one box by different producers are different products. */
  suppliers: readonly string[];
  category: string;
  packs: readonly Pack[];
  promos: readonly string[];
  emoji?: string;
  description: string;
}

interface County {
  code: string;
  place: string;
  products: readonly ProductTemplate[];
}

const COUNTIES: readonly County[] = [
  {
    code: '411423',
    place: '河南省商丘市宁陵县',
    products: [
      {
        names: ['宁陵酥梨', '宁陵金顶谢花酥梨', '河南宁陵酥梨'],
        suppliers: ['宁陵县金顶谢花酥梨种植专业合作社', '宁陵县石桥镇梨园家庭农场'],
        category: 'FRUIT',
        packs: [
          { labels: ['5斤装', '2.5kg'], unit: '2.5kg box', cents: 2990 },
          { labels: ['10斤装', '5kg', '10斤'], unit: '5kg box', cents: 4990 },
        ],
        promos: ['现摘现发', '脆甜多汁', '产地直发', '坏果包赔', '新鲜当季'],
        emoji: '🍐',
        description: '黄河故道沙土种植,皮薄多汁。\n现摘现发,坏果包赔。',
      },
      {
        names: ['宁陵梨膏', '秋梨膏 宁陵'],
        suppliers: ['宁陵县助农电商扶贫车间'],
        category: 'PROCESSED_FOOD',
        packs: [{ labels: ['300g瓶', '300克'], unit: '300g bottle', cents: 3800 }],
        promos: ['古法熬制', '无添加', '送礼佳品'],
        description: '酥梨熬制,"零添加"配方。',
      },
    ],
  },
  {
    code: '341321',
    place: '安徽省宿州市砀山县',
    products: [
      {
        names: ['砀山酥梨', '安徽砀山酥梨', '砀山梨'],
        suppliers: ['砀山县良梨镇果蔬专业合作社', '砀山县玉杰家庭农场'],
        category: 'FRUIT',
        packs: [
          { labels: ['5斤装', '2.5kg'], unit: '2.5kg box', cents: 2580 },
          { labels: ['9斤装', '4.5kg'], unit: '4.5kg box', cents: 3990 },
        ],
        promos: ['现摘现发', '整箱包邮', '产地直发', '一件代发'],
        emoji: '🍐',
        description: '砀山老梨园,果园直采。',
      },
      {
        names: ['砀山黄桃罐头', '黄桃罐头 砀山'],
        suppliers: ['安徽砀山县黄桃罐头有限公司'],
        category: 'PROCESSED_FOOD',
        packs: [
          { labels: ['425g*6罐', '6罐装'], unit: '6×425g can', cents: 3990 },
          { labels: ['425g*12罐', '12罐整箱'], unit: '12×425g can', cents: 6990 },
        ],
        promos: ['新鲜黄桃', '整箱包邮', '冰镇更好吃'],
        emoji: '🍑',
        description: '当季黄桃,24小时内装罐。',
      },
    ],
  },
  {
    code: '522634',
    place: '贵州省黔东南苗族侗族自治州雷山县',
    products: [
      {
        names: ['雷山银球茶', '贵州雷山银球茶', '雷山绿茶 银球'],
        suppliers: ['雷山县银球茶叶专业合作社'],
        category: 'TEA',
        packs: [
          { labels: ['250g罐装', '半斤'], unit: '250g tin', cents: 12800 },
          { labels: ['500g礼盒', '1斤礼盒'], unit: '500g gift box', cents: 23800 },
        ],
        promos: ['明前新茶', '高山云雾', '送礼佳品'],
        emoji: '🍵',
        description: '雷公山高山茶园,手工揉制成球。',
      },
      {
        names: ['苗绣手工香囊', '雷山苗绣香囊'],
        suppliers: ['雷山县西江苗绣扶贫车间'],
        category: 'HANDICRAFT',
        packs: [{ labels: ['2个装', '一对'], unit: 'pair', cents: 6800 }],
        promos: ['非遗手作', '苗族绣娘', '送礼'],
        description: '苗族绣娘手工刺绣,每件图案略有不同。',
      },
    ],
  },
  {
    code: '532528',
    place: '云南省红河哈尼族彝族自治州元阳县',
    products: [
      {
        names: ['元阳梯田红米', '哈尼梯田红米', '云南元阳红米'],
        suppliers: ['元阳县哈尼梯田红米专业合作社', '元阳县新街镇农产品扶贫车间'],
        category: 'GRAIN',
        packs: [
          { labels: ['5斤装', '2.5kg'], unit: '2.5kg bag', cents: 5990 },
          { labels: ['10斤装', '5kg'], unit: '5kg bag', cents: 10990 },
        ],
        promos: ['梯田种植', '新米上市', '真空包装'],
        emoji: '🌾',
        description: '千年哈尼梯田出产,"稻鱼鸭"共生种植。',
      },
    ],
  },
  {
    code: '611026',
    place: '陕西省商洛市柞水县',
    products: [
      {
        names: ['柞水木耳', '秦岭柞水黑木耳', '柞水小木耳'],
        suppliers: ['柞水县小木耳产业合作社', '柞水县金米村木耳加工扶贫车间'],
        category: 'VEGETABLE',
        packs: [
          { labels: ['250g袋装', '半斤'], unit: '250g bag', cents: 3990 },
          { labels: ['500g', '1斤装'], unit: '500g bag', cents: 6990 },
        ],
        promos: ['秦岭深山', '肉厚无根', '干货'],
        description: '秦岭山区段木栽培,泡发率高。',
      },
    ],
  },
  {
    code: '621226',
    place: '甘肃省陇南市礼县',
    products: [
      {
        names: ['礼县苹果', '甘肃礼县花牛苹果', '礼县红富士'],
        suppliers: ['礼县苹果产业专业合作社', '礼县盐官镇果品家庭农场'],
        category: 'FRUIT',
        packs: [
          { labels: ['5斤装', '2.5kg'], unit: '2.5kg box', cents: 3290 },
          { labels: ['10斤装', '5kg'], unit: '5kg box', cents: 5590 },
        ],
        promos: ['脆甜多汁', '高原种植', '现摘现发', '坏果包赔'],
        emoji: '🍎',
        description: '海拔1600米果园,昼夜温差大。',
      },
    ],
  },
];

const TAGS = ['助农', '832扶贫', '产地直供', '乡村振兴'];

const LINK_HOSTS: Record<string, (sku: string) => string> = {
  jd: (sku) => `https://item.jd.com/${sku}.html`,
  taobao: (sku) => `https://item.taobao.com/item.htm?id=${sku}`,
  pdd: (sku) => `https://mobile.yangkeduo.com/goods.html?goods_id=${sku}`,
};

interface Variant {
  county: County;
  product: ProductTemplate;
  pack: Pack;
  /** Position in VARIANTS: with the producer and its base it makes the box's barcode. */
  index: number;
}

// GTIN-13 of one producer's box: the same box has the same barcode on every
// platform, which the catalog links by, and the same box of two producers (or
// two bases of one) has two barcodes, each from its own company prefix.
function boxGtin(variant: Variant, supplier: number, base: number): string {
  const body = `6${String(variant.index * 100_000_000 + supplier * 10_000_000 + base).padStart(11, '0')}`;
  return body + gtinCheckDigit(body);
}

const VARIANTS: readonly Variant[] = COUNTIES.flatMap((county) =>
  county.products.flatMap((product) => product.packs.map((pack) => ({ county, product, pack }))),
).map((variant, index) => ({ ...variant, index }));

/** mulberry32: tiny, fast and good enough to vary titles; Math.random cannot be seeded. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/**
 * Feed rows keyed by feed field, every value a string ('' for absent). Rows
 * of the same variant differ the way real platforms differ: word order,
 * 斤/kg notation, promotional noise, emoji, category case, GTIN-13 vs -14.
 */
export function* generateFeedRows(options: FeedGeneratorOptions): Generator<Record<string, string>> {
  const next = random(options.seed ?? 42);
  const platform = options.platform ?? 'jd';
  const badEvery = options.badEvery ?? 0;
  const bases = options.bases ?? 1;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const link = LINK_HOSTS[platform] ?? ((sku: string) => `https://shop.${platform}.example.cn/item/${sku}`);

  for (let index = 0; index < options.rows; index++) {
    const variant = pick(VARIANTS);
    const { county, product, pack } = variant;
    const name = pick(product.names);
    const label = pick(pack.labels);
    const promo = pick(product.promos);
    const style = next();
    let title: string;
    if (style < 0.4) title = `${name} ${label} ${promo}`;
    else if (style < 0.6) title = `【${pick(TAGS)}】${name}${label} ${promo} ${pick(product.promos)}`;
    else if (style < 0.8) title = `${promo} ${name} ${label}`;
    else title = `${product.emoji ?? ''}${name} ${label}${next() < 0.5 ? ' 包邮' : ''} ${promo}`.trim();

    // Prices end in .90/.80/.00 like shop prices, within ±15% of the list price.
    const cents = Math.floor((pack.cents * (0.85 + next() * 0.3)) / 100) * 100 + pick([90, 80, 0]);
    const sku = `${platform}${String(10_000_000 + index)}`;
    const supplier = Math.floor(next() * product.suppliers.length);
    const base = bases > 1 ? 1 + Math.floor(next() * bases) : 0;
    const gtin = boxGtin(variant, supplier, base);
    const gtinRoll = next();
    const row: Record<string, string> = {
      platform_sku: sku,
      title,
      price: money(cents),
      currency: next() < 0.5 ? 'CNY' : '',
      gtin: gtinRoll < 0.35 ? gtin : gtinRoll < 0.4 ? `0${gtin}` : '',
      unit: next() < 0.9 ? pack.unit : '',
      stock: next() < 0.9 ? String(Math.floor(next() * 5000)) : '',
      monthly_sales: next() < 0.8 ? String(Math.floor(next() * 20000)) : '',
      url: next() < 0.95 ? link(sku) : '',
      category: next() < 0.7 ? product.category : next() < 0.5 ? product.category.toLowerCase() : '',
      // The base is part of the name, not a bracketed note: supplier identity
      // drops bracketed notes ("（普通合伙）"), which would make every base one supplier.
      supplier_name: bases > 1 ? `${product.suppliers[supplier]}${base}号基地` : product.suppliers[supplier]!,
      supplier_region_code: county.code,
      description: next() < 0.6 ? `${county.place}${product.description}` : '',
    };
    const bad = badRowKind(index, badEvery);
    if (bad !== null) spoil(row, bad);
    yield row;
  }
}

function spoil(row: Record<string, string>, kind: BadRowKind): void {
  switch (kind) {
    case 'missing-price':
      row.price = '';
      break;
    case 'bad-price':
      row.price = `${row.price}9`;
      break;
    case 'bad-gtin-check-digit': {
      const gtin = row.gtin || boxGtin(VARIANTS[0]!, 0, 0);
      row.gtin = gtin.slice(0, -1) + ((Number(gtin[gtin.length - 1]) + 1) % 10);
      break;
    }
    case 'bad-region-format':
      row.supplier_region_code = row.supplier_region_code.slice(0, 5);
      break;
    case 'unknown-region':
      row.supplier_region_code = '999999';
      break;
    case 'missing-title':
      row.title = ' ';
      break;
    case 'http-url':
      row.url = row.url ? row.url.replace(/^https:/, 'http:') : 'http://example.cn/item';
      break;
    case 'negative-stock':
      row.stock = '-3';
      break;
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(row: Record<string, string>): string {
  return FEED_FIELDS.map((field) => csvField(row[field] ?? '')).join(',');
}

/** JSON Lines as a platform would send them: absent fields left out, counts as numbers. */
export function jsonLine(row: Record<string, string>): string {
  const object: Record<string, string | number> = {};
  for (const field of FEED_FIELDS) {
    const value = row[field];
    if (value === undefined || value === '') continue;
    object[field] = (field === 'stock' || field === 'monthly_sales') && /^\d+$/.test(value) ? Number(value) : value;
  }
  return JSON.stringify(object);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      platform: { type: 'string', default: 'jd' },
      'bad-every': { type: 'string', default: '0' },
      bases: { type: 'string', default: '1' },
    },
  });
  const whole = (name: string, text: string | undefined): number => {
    if (text === undefined || !/^\d+$/.test(text)) throw new Error(`--${name} must be a whole number; got "${text ?? ''}"`);
    return Number(text);
  };
  const rows = whole('rows', values.rows);
  const format = values.format;
  if (format !== 'csv' && format !== 'jsonl') throw new Error(`--format must be csv or jsonl; got "${format}"`);
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  const line = format === 'csv' ? csvLine : jsonLine;

  // Rows are joined into ~1 MB writes: one write per row would spend the
  // time in stream bookkeeping, and waiting for 'drain' keeps memory flat.
  let batch: string[] = format === 'csv' ? [FEED_FIELDS.join(',')] : [];
  const flush = async () => {
    if (batch.length === 0) return;
    const text = `${batch.join('\n')}\n`;
    batch = [];
    if (!out.write(text)) await once(out, 'drain');
  };
  const rowOptions = {
    rows,
    seed: whole('seed', values.seed),
    platform: values.platform ?? 'jd',
    badEvery: whole('bad-every', values['bad-every']),
    bases: Math.max(1, whole('bases', values.bases)),
  };
  for (const row of generateFeedRows(rowOptions)) {
    batch.push(line(row));
    if (batch.length >= 5000) await flush();
  }
  await flush();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  });
}
