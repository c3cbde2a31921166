// Measures the listing matcher against the labelled multi-platform listings in
// test/fixtures/matching/labelled-listings.jsonl.
//
//   npx tsx scripts/evaluateMatching.ts [--threshold 0.3] [--explain] [--errors]
//
// Metrics are pairwise over rows: a true pair is two rows with the same
// `product` label, a predicted pair two rows linked to the same catalog
// product. Pairwise scores weigh a wrongly merged or split big product more
// than a small one, which is what a shopper comparing prices across platforms
// notices.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalizeSupplierName, type RegionNames } from '../subgraphs/suppliers/supplierName';
import {
  CatalogMatcher,
  DEFAULT_MATCH_THRESHOLD,
  type MatchDecision,
} from '../subgraphs/products/listingMatching';

export const LABELLED_LISTINGS_PATH = resolve(__dirname, '../test/fixtures/matching/labelled-listings.jsonl');

export interface LabelledListing {
  platform: string;
  platform_sku: string;
  title: string;
  unit: string | null;
  gtin: string | null;
  supplier_name: string;
  supplier_region_code: string;
  /** Label of the real product; rows with the same label are the same product. */
  product: string;
}

// GB/T 2260 names of the counties of the demo catalog (those of the labelled
// set among them): normalizeSupplierName strips them from supplier names
// ("宁陵县金顶谢花…" = "金顶谢花…"), as the suppliers subgraph does with its
// region table.
const REGIONS: Readonly<Record<string, RegionNames>> = {
  '411423': { province: '河南省', city: '商丘市', county: '宁陵县' },
  '341321': { province: '安徽省', city: '宿州市', county: '砀山县' },
  '522634': { province: '贵州省', city: '黔东南苗族侗族自治州', county: '雷山县' },
  '522633': { province: '贵州省', city: '黔东南苗族侗族自治州', county: '从江县' },
  '532528': { province: '云南省', city: '红河哈尼族彝族自治州', county: '元阳县' },
  '611026': { province: '陕西省', city: '商洛市', county: '柞水县' },
  '621226': { province: '甘肃省', city: '陇南市', county: '礼县' },
  '330523': { province: '浙江省', city: '湖州市', county: '安吉县' },
  '370783': { province: '山东省', city: '潍坊市', county: '寿光市' },
  '360734': { province: '江西省', city: '赣州市', county: '寻乌县' },
  '360781': { province: '江西省', city: '赣州市', county: '瑞金市' },
  '410225': { province: '河南省', city: '开封市', county: '兰考县' },
  '341524': { province: '安徽省', city: '六安市', county: '金寨县' },
  '433124': { province: '湖南省', city: '湘西土家族苗族自治州', county: '花垣县' },
  '422801': { province: '湖北省', city: '恩施土家族苗族自治州', county: '恩施市' },
  '513431': { province: '四川省', city: '凉山彝族自治州', county: '昭觉县' },
  '640323': { province: '宁夏回族自治区', city: '吴忠市', county: '盐池县' },
  '130624': { province: '河北省', city: '保定市', county: '阜平县' },
  '621126': { province: '甘肃省', city: '定西市', county: '岷县' },
};

export function supplierKeyOf(row: Pick<LabelledListing, 'supplier_name' | 'supplier_region_code'>): string {
  const region = REGIONS[row.supplier_region_code];
  if (!region) throw new Error(`no region names for code ${row.supplier_region_code}`);
  return `${row.supplier_region_code}|${normalizeSupplierName(row.supplier_name, region)}`;
}

export function readLabelledListings(path: string = LABELLED_LISTINGS_PATH): LabelledListing[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      try {
        return JSON.parse(line) as LabelledListing;
      } catch (err) {
        throw new Error(`${path}:${index + 1}: ${(err as Error).message}`);
      }
    });
}

export interface AssignedListing {
  row: LabelledListing;
  decision: MatchDecision & { productId: string };
}

/** Runs one CatalogMatcher over the rows in order, as consecutive feed imports would. */
export function assignProducts(rows: readonly LabelledListing[], threshold: number): AssignedListing[] {
  const matcher = new CatalogMatcher({ threshold });
  return rows.map((row) => ({
    row,
    decision: matcher.match({
      gtin: row.gtin,
      supplierKey: supplierKeyOf(row),
      title: row.title,
      unit: row.unit,
    }),
  }));
}

export interface MatchingEvaluation {
  precision: number;
  recall: number;
  f1: number;
  pairs: { tp: number; fp: number; fn: number };
}

function pairwise(assigned: readonly AssignedListing[]): MatchingEvaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < assigned.length; i++) {
    for (let j = i + 1; j < assigned.length; j++) {
      const same = assigned[i]!.row.product === assigned[j]!.row.product;
      const linked = assigned[i]!.decision.productId === assigned[j]!.decision.productId;
      if (same && linked) tp++;
      else if (linked) fp++;
      else if (same) fn++;
    }
  }
  // No predicted pairs means no wrong link: precision 1 by convention, so a
  // matcher that links nothing is judged by its recall of 0.
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, pairs: { tp, fp, fn } };
}

export function evaluateMatching(rows: readonly LabelledListing[], threshold: number = DEFAULT_MATCH_THRESHOLD): MatchingEvaluation {
  return pairwise(assignProducts(rows, threshold));
}

/** Labels split over several catalog products, and catalog products holding several labels. */
export function matchingErrors(assigned: readonly AssignedListing[]): { split: string[]; merged: string[] } {
  const productsOfLabel = new Map<string, Set<string>>();
  const labelsOfProduct = new Map<string, Set<string>>();
  for (const { row, decision } of assigned) {
    if (!productsOfLabel.has(row.product)) productsOfLabel.set(row.product, new Set());
    productsOfLabel.get(row.product)!.add(decision.productId);
    if (!labelsOfProduct.has(decision.productId)) labelsOfProduct.set(decision.productId, new Set());
    labelsOfProduct.get(decision.productId)!.add(row.product);
  }
  const describe = (label: string) =>
    assigned
      .filter((a) => a.row.product === label)
      .map((a) => `    ${a.decision.productId}  ${a.row.platform.padEnd(6)} ${a.row.title}  [unit ${a.row.unit ?? '-'}]\n      ${a.decision.explanation}`)
      .join('\n');
  const split = [...productsOfLabel]
    .filter(([, products]) => products.size > 1)
    .map(([label]) => `  ${label}\n${describe(label)}`);
  const merged = [...labelsOfProduct]
    .filter(([, labels]) => labels.size > 1)
    .map(([productId, labels]) => `  ${productId} holds ${[...labels].join(' + ')}\n${[...labels].map(describe).join('\n')}`);
  return { split, merged };
}

// Down to 0.10 because the default sits below 0.5: blocking and the product
// vocabulary already separate most products, so the threshold only has to
// reject titles that share little beyond the supplier's place name.
const SWEEP = Array.from({ length: 18 }, (_, i) => Math.round((0.1 + i * 0.05) * 100) / 100);

function formatRate(value: number): string {
  return value.toFixed(4);
}

function main(argv: readonly string[]): void {
  const thresholdIndex = argv.indexOf('--threshold');
  const threshold = thresholdIndex >= 0 ? Number(argv[thresholdIndex + 1]) : DEFAULT_MATCH_THRESHOLD;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new Error(`--threshold must be a number in [0, 1], got ${argv[thresholdIndex + 1]}`);
  }
  const rows = readLabelledListings();
  const assigned = assignProducts(rows, threshold);

  if (argv.includes('--explain')) {
    for (const { row, decision } of assigned) {
      console.log(`${row.platform}:${row.platform_sku}  ${row.title}\n  → ${decision.productId}  ${decision.explanation}`);
    }
    console.log('');
  }

  const result = pairwise(assigned);
  const labels = new Set(rows.map((row) => row.product)).size;
  const products = new Set(assigned.map((a) => a.decision.productId)).size;
  const byKind = { gtin: 0, title: 0, new: 0 };
  for (const { decision } of assigned) byKind[decision.kind]++;
  console.log(`${rows.length} listings, ${labels} labelled products → ${products} catalog products`);
  console.log(`decisions: ${byKind.gtin} by GTIN, ${byKind.title} by title, ${byKind.new} new`);
  console.log(`threshold ${threshold}: precision ${formatRate(result.precision)}  recall ${formatRate(result.recall)}  F1 ${formatRate(result.f1)}  (tp ${result.pairs.tp}, fp ${result.pairs.fp}, fn ${result.pairs.fn})`);

  if (argv.includes('--errors') || argv.includes('--explain')) {
    const { split, merged } = matchingErrors(assigned);
    console.log(`\nwrongly merged (${merged.length}):\n${merged.join('\n') || '  none'}`);
    console.log(`\nsplit (${split.length}):\n${split.join('\n') || '  none'}`);
  }

  console.log('\nthreshold sweep:');
  console.log('  threshold  precision  recall  F1      tp   fp  fn');
  for (const t of SWEEP) {
    const r = evaluateMatching(rows, t);
    console.log(`  ${t.toFixed(2).padEnd(9)}  ${formatRate(r.precision)}     ${formatRate(r.recall)}  ${formatRate(r.f1)}  ${String(r.pairs.tp).padStart(3)}  ${String(r.pairs.fp).padStart(3)}  ${String(r.pairs.fn).padStart(3)}${t === threshold ? '  ←' : ''}`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
