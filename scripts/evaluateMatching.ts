// Scores the matching engine against labelled feeds:
//
//   npm run evaluate:matching -- [DIR|FILE ...] [--order jd,taobao,pdd,douyin] [--errors] [--explain]
//       [--link 0.45] [--suggest 0.3] [--sweep]
//
// A labelled feed is an ordinary listing feed (CSV or JSON Lines, one
// platform per file, named after the platform code) with one more column,
// `product_label`, naming the real product; the import ignores it. The old
// single-file set (test/fixtures/matching/labelled-listings.jsonl, with
// `platform` and `product` keys) is read as well. Without arguments the
// three tuning sets are scored.
//
// The feeds are imported one after the other into the engine's in-memory
// catalog, the way `npm run import` runs them against the products store
// (same engine, same component, same plan), with supplier keys from the
// suppliers subgraph's own name normalization and GB/T 2260 table.
//
// Metrics are pairwise over rows: a true pair is two rows with the same
// label, a predicted pair two rows linked to the same catalog product.
// Suggestions are not links: they count as splits.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { openFeed, validateFeedRow } from '../feed';
import { normalizeSupplierName, type RegionNames } from '../subgraphs/suppliers/supplierName';
import { DEFAULT_LINK_THRESHOLD, DEFAULT_SUGGEST_THRESHOLD, type ClusterOptions } from '../subgraphs/products/matching/catalogClustering';
import { MemoryCatalog } from '../subgraphs/products/matching/memoryCatalog';

export const MATCHING_FIXTURES = resolve(__dirname, '../test/fixtures/matching');
export const TUNING_SET = join(MATCHING_FIXTURES, 'tuning');
/** A second tuning set, written later by other hands from other provinces and products. */
export const SECOND_TUNING_SET = join(MATCHING_FIXTURES, 'tuning2');
/** A third, written apart from both and from the engine, with other shops' habits and look-alike producers. */
export const THIRD_TUNING_SET = join(MATCHING_FIXTURES, 'tuning3');
export const HELD_OUT_SET = join(MATCHING_FIXTURES, 'heldout');

export interface LabelledListing {
  platform: string;
  platformSku: string;
  title: string;
  unit: string | null;
  gtin: string | null;
  supplierName: string;
  supplierRegionCode: string;
  /** Rows with the same label are the same real product. */
  label: string;
}

const REGION_MIGRATION = resolve(__dirname, '../subgraphs/suppliers/prisma/migrations/20261129010000_gbt2260_counties/migration.sql');
let regionTable: Map<string, RegionNames> | null = null;

/** The suppliers subgraph's GB/T 2260 table, read from its migration. */
export function regionNames(code: string): RegionNames {
  if (!regionTable) {
    regionTable = new Map();
    for (const match of readFileSync(REGION_MIGRATION, 'utf8').matchAll(/\('(\d{6})', '[^']*', '([^']*)', '([^']*)', '([^']*)'\)/gu)) {
      regionTable.set(match[1]!, { county: match[2]!, city: match[3]!, province: match[4]! });
    }
  }
  const region = regionTable.get(code);
  if (!region) throw new Error(`${code} is not a GB/T 2260 county code`);
  return region;
}

/** The supplier key the suppliers subgraph would resolve a listing's supplier to. */
export function supplierKeyOf(row: Pick<LabelledListing, 'supplierName' | 'supplierRegionCode'>): string {
  return `${row.supplierRegionCode}|${normalizeSupplierName(row.supplierName, regionNames(row.supplierRegionCode))}`;
}

async function readLabelledFeed(path: string): Promise<LabelledListing[]> {
  const platform = basename(path, extname(path));
  const feed = await openFeed(path);
  const rows: LabelledListing[] = [];
  for await (const record of feed.records) {
    if ('error' in record) throw new Error(`${path}:${record.line}: ${record.error}`);
    const checked = validateFeedRow(record.raw);
    if (!checked.listing) throw new Error(`${path}:${record.line}: ${checked.problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`);
    const label = record.raw.product_label;
    if (typeof label !== 'string' || !label) throw new Error(`${path}:${record.line}: no product_label`);
    const { platformSku, title, unit, gtin, supplierName, supplierRegionCode } = checked.listing;
    rows.push({ platform, platformSku, title, unit, gtin, supplierName, supplierRegionCode, label });
  }
  return rows;
}

function readLegacySet(path: string): LabelledListing[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const row = JSON.parse(line) as Record<string, string | null>;
      return {
        platform: row.platform!,
        platformSku: row.platform_sku!,
        title: row.title!,
        unit: row.unit ?? null,
        gtin: row.gtin ?? null,
        supplierName: row.supplier_name!,
        supplierRegionCode: row.supplier_region_code!,
        label: row.product!,
      };
    });
}

/** Labelled feeds of a folder (one file per platform) or one file, grouped by platform in file-name order. */
export async function readLabelledSet(path: string): Promise<Map<string, LabelledListing[]>> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => /\.(csv|jsonl)$/u.test(name))
        .sort()
        .map((name) => join(path, name))
    : [path];
  const byPlatform = new Map<string, LabelledListing[]>();
  for (const file of files) {
    const rows = basename(file) === 'labelled-listings.jsonl' ? readLegacySet(file) : await readLabelledFeed(file);
    for (const row of rows) {
      if (!byPlatform.has(row.platform)) byPlatform.set(row.platform, []);
      byPlatform.get(row.platform)!.push(row);
    }
  }
  return byPlatform;
}

export interface MatchingEvaluation {
  rows: number;
  labels: number;
  products: number;
  suggestions: number;
  precision: number;
  recall: number;
  f1: number;
  pairs: { tp: number; fp: number; fn: number };
}

export interface Assigned {
  row: LabelledListing;
  productId: string;
  explanation: string;
}

function listingKey(row: LabelledListing): string {
  return `${row.platform}:${row.platformSku}`;
}

/** Imports the platforms' feeds one after the other, in `order`, into one in-memory catalog. */
export function importInOrder(
  byPlatform: ReadonlyMap<string, readonly LabelledListing[]>,
  order: readonly string[],
  options: ClusterOptions = {},
): { assigned: Assigned[]; suggestions: number } {
  const catalog = new MemoryCatalog(options);
  const explanations = new Map<string, string>();
  let suggestions = new Map<string, number>();
  for (const platform of order) {
    const rows = byPlatform.get(platform) ?? [];
    const plan = catalog.import(
      rows.map((row) => ({
        key: listingKey(row),
        platform: row.platform,
        supplierKey: supplierKeyOf(row),
        title: row.title,
        unit: row.unit,
        gtin: row.gtin,
      })),
    );
    if (!plan) continue;
    for (const [key, decision] of plan.decisions) explanations.set(key, decision.explanation);
    // The store keeps the open suggestions of each component decided last.
    const next = new Map(suggestions);
    for (const key of plan.productOf.keys()) for (const id of suggestions.keys()) if (id.includes(key)) next.delete(id);
    for (const draft of plan.suggestions) next.set(`${draft.left} ${draft.right}`, draft.score);
    suggestions = next;
  }
  const assignment = catalog.assignment();
  const assigned = [...byPlatform.values()].flat().map((row) => ({
    row,
    productId: assignment.get(listingKey(row))!,
    explanation: explanations.get(listingKey(row)) ?? '',
  }));
  return { assigned, suggestions: suggestions.size };
}

export function score(assigned: readonly Assigned[], suggestions = 0): MatchingEvaluation {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < assigned.length; i++) {
    for (let j = i + 1; j < assigned.length; j++) {
      const same = assigned[i]!.row.label === assigned[j]!.row.label;
      const linked = assigned[i]!.productId === assigned[j]!.productId;
      if (same && linked) tp++;
      else if (linked) fp++;
      else if (same) fn++;
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    rows: assigned.length,
    labels: new Set(assigned.map((a) => a.row.label)).size,
    products: new Set(assigned.map((a) => a.productId)).size,
    suggestions,
    precision,
    recall,
    f1,
    pairs: { tp, fp, fn },
  };
}

/** Labels split over several products, and products holding several labels. */
export function matchingErrors(assigned: readonly Assigned[]): { split: string[]; merged: string[] } {
  const productsOfLabel = new Map<string, Set<string>>();
  const labelsOfProduct = new Map<string, Set<string>>();
  for (const { row, productId } of assigned) {
    if (!productsOfLabel.has(row.label)) productsOfLabel.set(row.label, new Set());
    productsOfLabel.get(row.label)!.add(productId);
    if (!labelsOfProduct.has(productId)) labelsOfProduct.set(productId, new Set());
    labelsOfProduct.get(productId)!.add(row.label);
  }
  const describe = (label: string) =>
    assigned
      .filter((a) => a.row.label === label)
      .map(
        (a) =>
          `    ${a.productId}  ${a.row.platform.padEnd(6)} ${a.row.title}  [unit ${a.row.unit ?? '-'}; ${a.row.supplierName}; gtin ${a.row.gtin ?? '-'}]\n      ${a.explanation}`,
      )
      .join('\n');
  const split = [...productsOfLabel].filter(([, products]) => products.size > 1).map(([label]) => `  ${label}\n${describe(label)}`);
  const merged = [...labelsOfProduct]
    .filter(([, labels]) => labels.size > 1)
    .map(([productId, labels]) => `  ${productId} holds ${[...labels].join(' + ')}\n${[...labels].map(describe).join('\n')}`);
  return { split, merged };
}

function format(name: string, result: MatchingEvaluation): string {
  return `${name}: ${result.rows} rows, ${result.labels} labelled products → ${result.products} catalog products; precision ${result.precision.toFixed(4)}  recall ${result.recall.toFixed(4)}  F1 ${result.f1.toFixed(4)}  (tp ${result.pairs.tp}, fp ${result.pairs.fp}, fn ${result.pairs.fn}); ${result.suggestions} suggestions (${((100 * result.suggestions) / Math.max(1, result.rows)).toFixed(1)} per 100 rows)`;
}

async function main(argv: readonly string[]): Promise<void> {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  const valueOf = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const paths = argv.filter((arg, index) => !arg.startsWith('--') && !['--order', '--link', '--suggest'].includes(argv[index - 1] ?? ''));
  const options: ClusterOptions = {
    linkThreshold: Number(valueOf('--link') ?? DEFAULT_LINK_THRESHOLD),
    suggestThreshold: Number(valueOf('--suggest') ?? DEFAULT_SUGGEST_THRESHOLD),
  };
  for (const path of paths.length ? paths : [TUNING_SET, SECOND_TUNING_SET, THIRD_TUNING_SET]) {
    const byPlatform = await readLabelledSet(path);
    const order = valueOf('--order')?.split(',') ?? [...byPlatform.keys()];
    const { assigned, suggestions } = importInOrder(byPlatform, order, options);
    console.log(format(path, score(assigned, suggestions)));
    if (flags.has('--errors') || flags.has('--explain')) {
      const { split, merged } = matchingErrors(assigned);
      console.log(`\nwrongly merged (${merged.length}):\n${merged.join('\n') || '  none'}`);
      console.log(`\nsplit (${split.length}):\n${split.join('\n') || '  none'}\n`);
    }
    if (flags.has('--sweep')) {
      for (let link = 0.3; link <= 0.71; link += 0.05) {
        const swept = importInOrder(byPlatform, order, { ...options, linkThreshold: link, suggestThreshold: Math.min(options.suggestThreshold!, link) });
        console.log(`  link ${link.toFixed(2)}: ${format('', score(swept.assigned, swept.suggestions))}`);
      }
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
