// The benchmark catalog: a large, deterministic (seeded) catalog bulk-loaded
// straight into the three subgraphs' PostgreSQL databases, after the
// subgraphs' own migrations. Generated databases are kept between runs
// (rgg_bench_<profile>_<subgraph>_<seed>, with a marker table in schema
// "bench") and reused while the seed, the sizes, the generator and the
// migrations are unchanged; --fresh regenerates.
//
//   npx tsx bench/generateCatalog.ts [--profile full|small|million] [--seed 42] [--fresh]
//   (BENCH_DATABASE_PREFIX, default rgg_bench, names the databases)
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { readMigrations } from '../common/migrations';
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { gtin13CheckDigit } from '../demo/demoCatalog';
import { openCertificationStore } from '../subgraphs/certification/store';
import { openProductsStore } from '../subgraphs/products/store';
import { normalizeSupplierName } from '../subgraphs/suppliers/supplierName';
import { openSuppliersStore } from '../subgraphs/suppliers/store';
import {
  ADJECTIVES,
  BRANDS,
  CATEGORIES,
  CATEGORY_WEIGHTS,
  GOODS,
  PLACE_SYLLABLES,
  PLATFORMS,
  PROMOS,
  REVIEWERS,
  SURNAMES,
  type Category,
  type Goods,
  type PlatformCode,
} from './catalogVocabulary';
import { loadCertificationsAtScale, loadProductsAtScale, type ScaleSupplier } from './catalogAtScale';
import { seededRandom, type Random } from './random';

export type CatalogProfile = 'full' | 'small' | 'million';

export interface CatalogSize {
  products: number;
  suppliers: number;
  counties: number;
  listings: number;
}

export const CATALOG_SIZES: Record<CatalogProfile, CatalogSize> = {
  full: { products: 50_000, suppliers: 5_000, counties: 300, listings: 120_000 },
  small: { products: 10_000, suppliers: 1_000, counties: 100, listings: 24_000 },
  // Alliance scale: generated inside PostgreSQL (catalogAtScale.ts).
  million: { products: 1_000_000, suppliers: 100_000, counties: 1_000, listings: 3_000_000 },
};

export const CATALOG_PROFILES = Object.keys(CATALOG_SIZES) as CatalogProfile[];

/** The profile with this many products (npm run bench:scale -- --products 1000000). */
export function profileWithProducts(products: number): CatalogProfile {
  const profile = CATALOG_PROFILES.find((name) => CATALOG_SIZES[name].products === products);
  if (!profile) throw new Error(`no catalog profile has ${products} products (${CATALOG_PROFILES.map((name) => CATALOG_SIZES[name].products).join(', ')})`);
  return profile;
}

// Bump whenever the generated data changes shape or content, so cached
// databases from an older generator are rebuilt rather than trusted.
const GENERATOR_VERSION = 1;
// Certificate validity is generated relative to the generation day with at
// least 60 days of margin; reusing a catalog for at most 30 days keeps every
// certificate in the status it was generated for.
const MAX_CACHE_AGE_DAYS = 30;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHINA_OFFSET = 8 * HOUR;

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface CatalogSummary {
  regions: number;
  designatedCounties: number;
  suppliers: number;
  platforms: number;
  products: number;
  listings: number;
  certifications: Record<string, number>;
  certificationEvents: number;
  validCertificates: number;
  ineligibleProducts: number;
}

export interface BenchCatalog {
  profile: CatalogProfile;
  seed: number;
  sizes: CatalogSize;
  urls: Record<SubgraphName, string>;
  /** The day the data was generated for (UTC midnight); every date in it is relative to this. */
  anchor: Date;
  reused: boolean;
  seconds: number;
  summary: CatalogSummary;
}

export interface EnsureCatalogOptions {
  profile: CatalogProfile;
  seed: number;
  fresh?: boolean;
  adminUrl?: string;
  log?: (message: string) => void;
}

// BENCH_DATABASE_PREFIX keeps one checkout's catalogs apart from another's on a shared server.
const DATABASE_PREFIX = process.env.BENCH_DATABASE_PREFIX ?? 'rgg_bench';
if (!/^[a-z_][a-z0-9_]*$/.test(DATABASE_PREFIX)) throw new Error('BENCH_DATABASE_PREFIX must be a lower-case SQL identifier');

export function benchDatabaseName(profile: CatalogProfile, name: SubgraphName, seed: number): string {
  return `${DATABASE_PREFIX}_${profile}_${name}_${seed}`;
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

function migrationsFingerprint(name: SubgraphName): string {
  const migrations = readMigrations(join(__dirname, '..', 'subgraphs', name, 'prisma', 'migrations'));
  return createHash('sha256')
    .update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

interface Marker {
  generator: number;
  seed: number;
  sizes: CatalogSize;
  migrations: string;
  anchor: Date;
  summary: CatalogSummary;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function readMarker(url: string): Promise<Marker | null> {
  try {
    return await withClient(url, async (client) => {
      const { rows } = await client.query(`SELECT generator, seed, sizes, migrations, anchor, summary FROM bench.catalog LIMIT 1`);
      const row = rows[0] as { generator: number; seed: number; sizes: CatalogSize; migrations: string; anchor: Date; summary: CatalogSummary } | undefined;
      return row ?? null;
    });
  } catch {
    // No such database or no marker: an unfinished or foreign database.
    return null;
  }
}

async function reusable(options: EnsureCatalogOptions, urls: Record<SubgraphName, string>): Promise<Marker | null> {
  const sizes = CATALOG_SIZES[options.profile];
  let first: Marker | null = null;
  for (const name of SUBGRAPH_NAMES) {
    const marker = await readMarker(urls[name]);
    if (!marker) return null;
    const fits =
      marker.generator === GENERATOR_VERSION &&
      marker.seed === options.seed &&
      // jsonb does not keep key order: compare field by field.
      (Object.keys(sizes) as (keyof CatalogSize)[]).every((key) => marker.sizes[key] === sizes[key]) &&
      marker.migrations === migrationsFingerprint(name) &&
      Date.now() - marker.anchor.getTime() < MAX_CACHE_AGE_DAYS * DAY;
    if (!fits) return null;
    if (first && first.anchor.getTime() !== marker.anchor.getTime()) return null;
    first ??= marker;
  }
  return first;
}

/** Reuses the cached catalog for this profile and seed, or generates it. */
export async function ensureBenchCatalog(options: EnsureCatalogOptions): Promise<BenchCatalog> {
  const adminUrl = options.adminUrl ?? ADMIN_URL;
  const log = options.log ?? (() => undefined);
  const urls = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => [name, databaseUrl(adminUrl, benchDatabaseName(options.profile, name, options.seed))]),
  ) as Record<SubgraphName, string>;
  const started = Date.now();
  if (!options.fresh) {
    const marker = await reusable(options, urls);
    if (marker) {
      log(`catalog: reusing ${options.profile} catalog, seed ${options.seed} (generated for ${marker.anchor.toISOString().slice(0, 10)})`);
      return {
        profile: options.profile,
        seed: options.seed,
        sizes: CATALOG_SIZES[options.profile],
        urls,
        anchor: marker.anchor,
        reused: true,
        seconds: (Date.now() - started) / 1000,
        summary: marker.summary,
      };
    }
  }
  log(`catalog: generating ${options.profile} catalog, seed ${options.seed}...`);
  const { anchor, summary } = await generate(options, adminUrl, urls, log);
  const seconds = (Date.now() - started) / 1000;
  log(`catalog: generated in ${seconds.toFixed(1)} s`);
  return { profile: options.profile, seed: options.seed, sizes: CATALOG_SIZES[options.profile], urls, anchor, reused: false, seconds, summary };
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

interface RegionRow {
  code: string;
  name: string;
  county: string;
  city: string;
  province: string;
}

interface CountyRow extends RegionRow {
  designated?: boolean;
}

interface SupplierDraft {
  id: string;
  name: string;
  normalizedName: string;
  kind: 'COOPERATIVE' | 'RELIEF_WORKSHOP' | 'ENTERPRISE' | 'FAMILY_FARM';
  region: CountyRow;
  households: number;
  category: Category;
  goods: Goods;
  createdAt: Date;
  updatedAt: Date;
}

interface ProductDraft {
  id: string;
  name: string;
  description: string;
  gtin: string | null;
  category: Category;
  unit: string;
  supplier: SupplierDraft;
  basePrice: number;
  createdAt: Date;
  updatedAt: Date;
}

type Outcome = 'APPROVED' | 'LAPSED' | 'REJECTED' | 'PENDING' | 'REVOKED' | 'EXPIRED';

interface CertificationDraft {
  id: string;
  product: ProductDraft;
  status: 'APPROVED' | 'REJECTED' | 'PENDING' | 'REVOKED' | 'EXPIRED';
  certificateNumber: string | null;
  issuedBy: string | null;
  validFrom: Date | null;
  validUntil: Date | null;
  evidence: string;
  events: { action: string; at: Date; actor: string; note: string | null }[];
}

/** One column of a bulk insert: name, SQL array element type, values. */
type Column = readonly [name: string, type: string, values: unknown[]];

// INSERT ... SELECT FROM unnest(arrays): one statement per batch of rows, with
// every value a bound parameter, far faster than row-by-row inserts.
async function bulkInsert(client: pg.Client, table: string, columns: Column[], batch = 10_000): Promise<void> {
  const count = columns[0]![2].length;
  const names = columns.map(([name]) => `"${name}"`).join(', ');
  const unnest = columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  for (let offset = 0; offset < count; offset += batch) {
    await client.query(
      `INSERT INTO "${table}" (${names}) SELECT * FROM unnest(${unnest})`,
      columns.map(([, , values]) => values.slice(offset, offset + batch)),
    );
  }
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function countyStem(county: string): string {
  const stem = county.replace(/(自治县|自治旗|县|旗|市)$/u, '');
  return stem.length >= 2 ? stem : county;
}

function placeName(random: Random, suffix: string): string {
  return `${random.pick(PLACE_SYLLABLES)}${random.pick(PLACE_SYLLABLES)}${suffix}`;
}

function chinaYear(date: Date): number {
  return new Date(date.getTime() + CHINA_OFFSET).getUTCFullYear();
}

function generateSuppliers(random: Random, counties: CountyRow[], count: number, anchor: number): SupplierDraft[] {
  const taken = new Set<string>();
  const suppliers: SupplierDraft[] = [];
  const categoryWeights = CATEGORIES.map((category) => CATEGORY_WEIGHTS[category]);
  for (let index = 0; index < count; index++) {
    // Every chosen county gets suppliers; the rest land anywhere among them.
    const region = index < counties.length ? counties[index]! : random.pick(counties);
    const category = CATEGORIES[random.weighted(categoryWeights)]!;
    const goods = random.pick(GOODS[category]);
    const kind = (['COOPERATIVE', 'RELIEF_WORKSHOP', 'ENTERPRISE', 'FAMILY_FARM'] as const)[random.weighted([45, 15, 25, 15])]!;
    let name = '';
    let normalizedName: string;
    for (let attempt = 0; ; attempt++) {
      const town = placeName(random, random.chance(0.7) ? '镇' : '乡');
      const village = attempt > 0 ? placeName(random, '村') : '';
      switch (kind) {
        case 'COOPERATIVE':
          name = `${region.county}${town}${village}${goods.trade}${random.chance(0.6) ? '农民专业合作社' : '专业合作社'}`;
          break;
        case 'RELIEF_WORKSHOP':
          name = `${region.county}${town}${village || placeName(random, '村')}${random.chance(0.5) ? goods.trade : ''}帮扶车间`;
          break;
        case 'ENTERPRISE':
          name = `${random.chance(0.3) ? region.city.replace(/市$/u, '') : ''}${region.county}${random.pick(BRANDS)}${village}${random.pick([
            '农业开发',
            '食品',
            '农产品',
            '特产',
          ])}${random.chance(0.5) ? '有限公司' : '有限责任公司'}`;
          break;
        case 'FAMILY_FARM':
          name = `${region.county}${town}${village}${random.pick(SURNAMES)}家庭农场`;
          break;
      }
      normalizedName = normalizeSupplierName(name, region);
      // (county, normalized name) is unique in the suppliers store, as one producer per county.
      if (!taken.has(`${region.code}|${normalizedName}`)) break;
    }
    taken.add(`${region.code}|${normalizedName}`);
    const households =
      kind === 'COOPERATIVE'
        ? random.chance(0.15)
          ? 0
          : random.int(8, 320)
        : kind === 'RELIEF_WORKSHOP'
          ? random.int(10, 120)
          : kind === 'ENTERPRISE'
            ? random.chance(0.45)
              ? 0
              : random.int(5, 90)
            : random.chance(0.5)
              ? 0
              : random.int(1, 6);
    const createdAt = new Date(anchor - random.int(200, 1500) * DAY - random.int(0, 23) * HOUR);
    suppliers.push({
      id: `sup_b${pad(index + 1, 5)}`,
      name,
      normalizedName,
      kind,
      region,
      households,
      category,
      goods,
      createdAt,
      updatedAt: new Date(Math.min(anchor - HOUR, createdAt.getTime() + random.int(1, 400) * DAY)),
    });
  }
  return suppliers;
}

function generateProducts(random: Random, suppliers: SupplierDraft[], count: number, anchor: number): ProductDraft[] {
  // A few suppliers carry many products and most carry a handful, as on real
  // platforms: exponential weights give that skew without extreme outliers.
  const weights = suppliers.map(() => -Math.log(1 - random.next() * 0.999));
  const cumulative: number[] = [];
  weights.reduce((sum, weight, index) => (cumulative[index] = sum + weight), 0);
  const total = cumulative[cumulative.length - 1]!;
  const ownerOf = (index: number): SupplierDraft => {
    if (index < suppliers.length) return suppliers[index]!;
    const roll = random.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < roll) low = mid + 1;
      else high = mid;
    }
    return suppliers[low]!;
  };
  const categoryWeights = CATEGORIES.map((category) => CATEGORY_WEIGHTS[category]);
  const order = random.shuffle(Array.from({ length: count }, (_, index) => index));
  const products: ProductDraft[] = new Array<ProductDraft>(count);
  for (const index of order) {
    const supplier = ownerOf(index);
    const category = random.chance(0.8) ? supplier.category : CATEGORIES[random.weighted(categoryWeights)]!;
    const goods = category === supplier.category && random.chance(0.7) ? supplier.goods : random.pick(GOODS[category]);
    const [packLabel, unit] = random.pick(goods.packs);
    const adjective = random.pick(ADJECTIVES);
    const name = `${countyStem(supplier.region.county)}${adjective}${goods.noun}${packLabel ? ` ${packLabel}` : ''}`;
    const promo = random.pick(PROMOS);
    const description = `产自${supplier.region.province}${supplier.region.city}${supplier.region.county}的${adjective}${goods.noun}，${promo}，由${supplier.name}统一分拣包装后发货。`;
    const gtinBody = `69${pad(index + 1, 10)}`;
    const createdAt = new Date(Math.max(supplier.createdAt.getTime() + DAY, anchor - random.int(30, 900) * DAY - random.int(0, 1439) * 60_000));
    products[index] = {
      id: `prd_b${pad(index + 1, 6)}`,
      name,
      description,
      gtin: random.chance(0.6) ? `${gtinBody}${gtin13CheckDigit(gtinBody)}` : null,
      category,
      unit,
      supplier,
      basePrice: Math.round(random.int(goods.price[0], goods.price[1]) / 10) * 10,
      createdAt,
      updatedAt: new Date(Math.min(anchor - HOUR, createdAt.getTime() + random.int(0, 200) * DAY)),
    };
  }
  return products;
}

interface PlatformStyle {
  externalId(serial: number): string;
  url(externalId: string): string;
  priceFactor: number;
  salesFactor: number;
  title(name: string, promo: string): string;
}

const PLATFORM_STYLES: Record<PlatformCode, PlatformStyle> = {
  jd: {
    externalId: (n) => `100${pad(n, 9)}`,
    url: (id) => `https://item.jd.com/${id}.html`,
    priceFactor: 1.03,
    salesFactor: 1,
    title: (name, promo) => `【京东物流】${name} ${promo} 助农扶贫产品`,
  },
  pdd: {
    externalId: (n) => `5${pad(n, 11)}`,
    url: (id) => `https://mobile.yangkeduo.com/goods.html?goods_id=${id}`,
    priceFactor: 0.96,
    salesFactor: 3,
    title: (name, promo) => `【百亿补贴】${name.replace(/\s+/gu, '')}包邮 ${promo} 产地直发 坏单包退`,
  },
  douyin: {
    externalId: (n) => `36${pad(n, 17)}`,
    url: (id) => `https://haohuo.jinritemai.com/ecommerce/trade/detail/index.html?id=${id}`,
    priceFactor: 0.99,
    salesFactor: 2,
    title: (name, promo) => `直播间专享｜${name} ${promo}【顺丰包邮】`,
  },
  taobao: {
    externalId: (n) => `6${pad(n, 11)}`,
    url: (id) => `https://item.taobao.com/item.htm?id=${id}`,
    priceFactor: 1,
    salesFactor: 1,
    title: (name, promo) => `${name} 【包邮】${promo} 农家自产 当季新货`,
  },
};

/** Listings per product, 1 to 4 platforms, adjusted so the total is exactly `target`. */
function listingCounts(random: Random, products: number, target: number): number[] {
  if (target < products || target > products * 4) throw new Error(`cannot spread ${target} listings over ${products} products`);
  const counts = Array.from({ length: products }, () => 1 + random.weighted([15, 40, 30, 15]));
  let sum = counts.reduce((total, count) => total + count, 0);
  while (sum !== target) {
    const index = random.int(0, products - 1);
    if (sum > target && counts[index]! > 1) {
      counts[index]! -= 1;
      sum -= 1;
    } else if (sum < target && counts[index]! < 4) {
      counts[index]! += 1;
      sum += 1;
    }
  }
  return counts;
}

const STORY_KINDS: { chain: Outcome[]; weight: number; eligibleOnly: boolean }[] = [
  { chain: ['APPROVED'], weight: 35, eligibleOnly: true },
  { chain: ['LAPSED'], weight: 8, eligibleOnly: true },
  { chain: ['REJECTED'], weight: 12, eligibleOnly: false },
  { chain: ['PENDING'], weight: 12, eligibleOnly: false },
  { chain: ['REVOKED'], weight: 8, eligibleOnly: true },
  { chain: ['EXPIRED', 'APPROVED'], weight: 10, eligibleOnly: true },
  { chain: ['REJECTED', 'PENDING'], weight: 5, eligibleOnly: false },
  { chain: ['REVOKED', 'PENDING'], weight: 5, eligibleOnly: true },
  { chain: ['EXPIRED', 'PENDING'], weight: 5, eligibleOnly: true },
];

const REJECT_NOTES = [
  '未提供带动脱贫户名单及收购台账，请补充后重新申请。',
  '供应商所在县非脱贫县，且无带动脱贫户证明，不予认定。',
  '乡镇出具的产地证明已过有效期，请更新后再申请。',
  '原料产地证明不足，不予认定。',
];
const REVOKE_NOTES = [
  '市场监管抽检发现部分批次原料来自外县收购，与申报产地不符，撤销认定。',
  '企业生产线迁至县外代工，不再符合产地要求，撤销认定。',
  '带贫协议到期未续签，撤销认定。',
];
const APPLICANTS = ['platform:jd', 'platform:pdd', 'platform:douyin', 'platform:taobao', '张桂英', '李春花', '陈明'];

function isEligible(product: ProductDraft): boolean {
  return product.supplier.region.designated === true || product.supplier.households > 0;
}

/**
 * The certifications of one product, oldest first, as the lifecycle would
 * have written them: every status, a history event per transition, and
 * certificates that are valid, lapsed, revoked or expired-and-reapplied.
 */
function certificationStory(random: Random, product: ProductDraft, chain: Outcome[], anchor: number): Omit<CertificationDraft, 'id' | 'certificateNumber'>[] {
  const drafts: Omit<CertificationDraft, 'id' | 'certificateNumber'>[] = [];
  // Built from the newest backwards: `limit` is when the next one was applied.
  let limit = anchor - HOUR;
  for (let position = chain.length - 1; position >= 0; position--) {
    const outcome = chain[position]!;
    const last = position === chain.length - 1;
    const validDays = random.pick([365, 730]);
    const applicant = random.pick(APPLICANTS);
    const reviewer = `reviewer:${random.pick(REVIEWERS)}`;
    const days = (min: number, max: number) => random.int(min, max) * DAY + random.int(0, 600) * 60_000;
    const events: CertificationDraft['events'] = [];
    let status: CertificationDraft['status'];
    let validFrom: number | null = null;
    let validUntil: number | null = null;
    let applied: number;
    switch (outcome) {
      case 'APPROVED': {
        // Valid now, and still valid 60 days after generation.
        const decided = anchor - days(2, validDays - 61);
        applied = decided - days(3, 20);
        validFrom = decided;
        validUntil = decided + validDays * DAY;
        status = 'APPROVED';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        events.push({ action: 'APPROVED', at: new Date(decided), actor: reviewer, note: '材料齐全，符合认定条件，予以认定' });
        break;
      }
      case 'LAPSED': {
        // Stored APPROVED, reads EXPIRED: validUntil passed, nobody applied again.
        const decided = anchor - validDays * DAY - days(1, 300);
        applied = decided - days(3, 20);
        validFrom = decided;
        validUntil = decided + validDays * DAY;
        status = 'APPROVED';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        events.push({ action: 'APPROVED', at: new Date(decided), actor: reviewer, note: '材料齐全，符合认定条件，予以认定' });
        break;
      }
      case 'PENDING': {
        applied = anchor - days(0, 60) - HOUR;
        status = 'PENDING';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        break;
      }
      case 'REJECTED': {
        const decided = limit - days(1, 400);
        applied = decided - days(3, 15);
        status = 'REJECTED';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        events.push({ action: 'REJECTED', at: new Date(decided), actor: reviewer, note: random.pick(REJECT_NOTES) });
        break;
      }
      case 'REVOKED': {
        const closed = limit - days(1, 300);
        const decided = closed - days(30, 300);
        applied = decided - days(3, 20);
        validFrom = decided;
        validUntil = decided + validDays * DAY;
        status = 'REVOKED';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        events.push({ action: 'APPROVED', at: new Date(decided), actor: reviewer, note: '材料齐全，符合认定条件，予以认定' });
        events.push({ action: 'REVOKED', at: new Date(closed), actor: `reviewer:${random.pick(REVIEWERS)}`, note: random.pick(REVOKE_NOTES) });
        break;
      }
      case 'EXPIRED': {
        // Stored EXPIRED: it lapsed, and the product applied again at `limit`,
        // which is when the lifecycle records the expiry.
        if (last) throw new Error('a stored EXPIRED certification is always followed by a new application');
        validUntil = limit - days(0, 60);
        const decided = validUntil - validDays * DAY;
        applied = decided - days(3, 20);
        validFrom = decided;
        status = 'EXPIRED';
        events.push({ action: 'APPLIED', at: new Date(applied), actor: applicant, note: '提交消费帮扶产品认定申请' });
        events.push({ action: 'APPROVED', at: new Date(decided), actor: reviewer, note: '材料齐全，符合认定条件，予以认定' });
        events.push({ action: 'EXPIRED', at: new Date(limit), actor: 'system', note: 'validUntil passed' });
        break;
      }
    }
    const region = product.supplier.region;
    drafts.unshift({
      product,
      status,
      issuedBy: validFrom !== null ? `${region.province}乡村振兴局消费帮扶产品认定办公室` : null,
      validFrom: validFrom !== null ? new Date(validFrom) : null,
      validUntil: validUntil !== null ? new Date(validUntil) : null,
      evidence: `${region.county}乡村振兴局推荐函；${product.supplier.name}带动脱贫户名单（${product.supplier.households}户）；产品检验报告。`,
      events,
    });
    limit = applied;
  }
  return drafts;
}

// The marker last: a database without it is never reused.
async function writeMarkers(
  clients: Record<SubgraphName, pg.Client>,
  seed: number,
  sizes: CatalogSize,
  anchor: number,
  summary: CatalogSummary,
): Promise<void> {
  for (const name of SUBGRAPH_NAMES) {
    await clients[name].query(`CREATE SCHEMA IF NOT EXISTS bench`);
    await clients[name].query(
      `CREATE TABLE bench.catalog (generator int NOT NULL, seed int NOT NULL, sizes jsonb NOT NULL, migrations text NOT NULL,
                                   anchor timestamptz NOT NULL, summary jsonb NOT NULL)`,
    );
    await clients[name].query(`INSERT INTO bench.catalog VALUES ($1, $2, $3, $4, $5, $6)`, [
      GENERATOR_VERSION,
      seed,
      JSON.stringify(sizes),
      migrationsFingerprint(name),
      new Date(anchor),
      JSON.stringify(summary),
    ]);
  }
}

/**
 * The million-product catalog: suppliers from Node (the same names as the
 * smaller catalogs), products, listings and certifications drawn inside
 * PostgreSQL (catalogAtScale.ts), the three databases loaded in parallel.
 */
async function generateAtScale(
  clients: Record<SubgraphName, pg.Client>,
  input: {
    seed: number;
    sizes: CatalogSize;
    anchor: Date;
    suppliers: SupplierDraft[];
    designated: Set<string>;
    regions: number;
    log: (message: string) => void;
  },
): Promise<CatalogSummary> {
  const { seed, sizes, anchor, suppliers, designated, log } = input;
  const facts: ScaleSupplier[] = suppliers.map((s) => ({
    id: s.id,
    regionCode: s.region.code,
    province: s.region.province,
    city: s.region.city,
    county: s.region.county,
    countyStem: countyStem(s.region.county),
    name: s.name,
    category: s.category,
    households: s.households,
    eligible: s.region.designated === true || s.households > 0,
    createdAt: s.createdAt,
  }));
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await work();
    log(`catalog: ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  log(`catalog: loading ${suppliers.length} suppliers, ${sizes.products} products, ${sizes.listings} listings inside PostgreSQL`);
  const loadSuppliers = async (client: pg.Client) => {
    await client.query('BEGIN');
    await client.query(`UPDATE region SET designated_poverty_county = (code = ANY($1::text[]))`, [[...designated]]);
    await bulkInsert(client, 'supplier', [
      ['id', 'text', suppliers.map((s) => s.id)],
      ['name', 'text', suppliers.map((s) => s.name)],
      ['normalized_name', 'text', suppliers.map((s) => s.normalizedName)],
      ['kind', '"SupplierKind"', suppliers.map((s) => s.kind)],
      ['region_code', 'text', suppliers.map((s) => s.region.code)],
      ['beneficiary_households', 'int', suppliers.map((s) => s.households)],
      ['created_at', 'timestamptz', suppliers.map((s) => s.createdAt.toISOString())],
      ['updated_at', 'timestamptz', suppliers.map((s) => s.updatedAt.toISOString())],
    ]);
    await client.query('COMMIT');
  };
  const loadProducts = async (client: pg.Client) => {
    // Listings are written before their products (so products carry their
    // aggregates from the start): foreign keys are not checked during the load.
    await client.query(`SET session_replication_role = replica`);
    await client.query('BEGIN');
    await loadProductsAtScale(client, { seed, sizes, anchor, suppliers: facts });
    await client.query('COMMIT');
    await client.query(`SET session_replication_role = DEFAULT`);
  };
  const loadCertification = async (client: pg.Client) => {
    // No change versions for generated rows (see the full catalog's load): the copy's first update takes the whole set.
    await client.query(`SET session_replication_role = replica`);
    await client.query('BEGIN');
    const counts = await loadCertificationsAtScale(client, { seed, sizes, anchor, suppliers: facts });
    await client.query('COMMIT');
    await client.query(`SET session_replication_role = DEFAULT`);
    return counts;
  };
  const [, , certification] = await Promise.all([
    timed('suppliers', () => loadSuppliers(clients.suppliers)),
    timed('products and listings', () => loadProducts(clients.products)),
    timed('certifications', () => loadCertification(clients.certification)),
  ]);
  await timed('VACUUM ANALYZE', () => Promise.all(SUBGRAPH_NAMES.map((name) => clients[name].query('VACUUM ANALYZE'))));
  return {
    regions: input.regions,
    designatedCounties: designated.size,
    suppliers: suppliers.length,
    platforms: PLATFORMS.length,
    products: sizes.products,
    listings: sizes.listings,
    ...certification,
  };
}

async function generate(
  options: EnsureCatalogOptions,
  adminUrl: string,
  urls: Record<SubgraphName, string>,
  log: (message: string) => void,
): Promise<{ anchor: Date; summary: CatalogSummary }> {
  const sizes = CATALOG_SIZES[options.profile];
  const random = seededRandom(options.seed);
  const now = new Date();
  const anchor = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

  // Fresh databases, migrated by the subgraphs' own store code.
  await withClient(adminUrl, async (admin) => {
    for (const name of SUBGRAPH_NAMES) {
      const database = benchDatabaseName(options.profile, name, options.seed);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${database} TEMPLATE template0 ENCODING 'UTF8'`);
    }
  });
  const opened = await Promise.all([
    openProductsStore({ kind: 'postgres', url: urls.products }),
    openSuppliersStore({ kind: 'postgres', url: urls.suppliers }),
    openCertificationStore({ kind: 'postgres', url: urls.certification }),
  ]);
  await Promise.all(opened.map((store) => store.close()));

  const clients = {} as Record<SubgraphName, pg.Client>;
  for (const name of SUBGRAPH_NAMES) {
    clients[name] = new pg.Client({ connectionString: urls[name] });
    await clients[name].connect();
    // Bulk load: durability of each batch does not matter, the marker is written last.
    await clients[name].query('SET synchronous_commit = off');
  }
  try {
    // --- regions: real county codes from the migration's GB/T 2260 table.
    const { rows: allRegions } = await clients.suppliers.query<RegionRow>(`SELECT code, name, county, city, province FROM region ORDER BY code`);
    // Rural counties (县, 旗), where relief producers are, not city districts.
    const rural = allRegions.filter((region) => /(县|旗)$/u.test(region.county));
    const counties: CountyRow[] = random
      .shuffle(rural)
      .slice(0, sizes.counties)
      .sort((a, b) => a.code.localeCompare(b.code));
    const designated = new Set(
      random
        .shuffle(counties)
        .slice(0, Math.round(counties.length * 0.6))
        .map((county) => county.code),
    );
    for (const county of counties) county.designated = designated.has(county.code);

    const suppliers = generateSuppliers(random, counties, sizes.suppliers, anchor);
    if (options.profile === 'million') {
      const summary = await generateAtScale(clients, {
        seed: options.seed,
        sizes,
        anchor: new Date(anchor),
        suppliers,
        designated,
        regions: allRegions.length,
        log,
      });
      await writeMarkers(clients, options.seed, sizes, anchor, summary);
      return { anchor: new Date(anchor), summary };
    }
    const products = generateProducts(random, suppliers, sizes.products, anchor);
    const counts = listingCounts(random, products.length, sizes.listings);

    // --- listings
    const platformCodes = PLATFORMS.map((platform) => platform.code);
    const serials: Record<string, number> = {};
    const listing = {
      id: [] as string[],
      platform: [] as string[],
      externalId: [] as string[],
      product: [] as string[],
      title: [] as string[],
      url: [] as string[],
      price: [] as string[],
      stock: [] as (number | null)[],
      sales: [] as number[],
      gtin: [] as (string | null)[],
      unit: [] as string[],
      updatedAt: [] as string[],
    };
    products.forEach((product, index) => {
      const start = random.int(0, platformCodes.length - 1);
      for (let slot = 0; slot < counts[index]!; slot++) {
        const code = platformCodes[(start + slot) % platformCodes.length]!;
        const style = PLATFORM_STYLES[code];
        serials[code] = (serials[code] ?? 0) + 1;
        const externalId = style.externalId(serials[code]!);
        const fen = Math.max(100, Math.round((product.basePrice * style.priceFactor) / 10) * 10 + random.int(0, 4) * 10);
        listing.id.push(`lst_b${pad(listing.id.length + 1, 7)}`);
        listing.platform.push(code);
        listing.externalId.push(externalId);
        listing.product.push(product.id);
        listing.title.push(style.title(product.name, random.pick(PROMOS)));
        listing.url.push(style.url(externalId));
        listing.price.push((fen / 100).toFixed(2));
        listing.stock.push(random.chance(0.05) ? null : random.chance(0.11) ? 0 : random.int(20, 1520));
        listing.sales.push(random.int(0, 800) * style.salesFactor);
        // Only JD and Taobao expose the barcode in their item data.
        listing.gtin.push(product.gtin && (code === 'jd' || code === 'taobao') ? product.gtin : null);
        listing.unit.push(product.unit);
        listing.updatedAt.push(new Date(anchor - random.int(1, 2000) * HOUR - random.int(0, 59) * 60_000).toISOString());
      }
    });

    // --- certifications
    const certificationDrafts: Omit<CertificationDraft, 'id' | 'certificateNumber'>[] = [];
    const eligibleKinds = STORY_KINDS;
    const ineligibleKinds = STORY_KINDS.filter((kind) => !kind.eligibleOnly);
    for (const product of products) {
      if (!random.chance(0.4)) continue;
      const kinds = isEligible(product) ? eligibleKinds : ineligibleKinds;
      const kind = kinds[random.weighted(kinds.map((entry) => entry.weight))]!;
      certificationDrafts.push(...certificationStory(random, product, kind.chain, anchor));
    }
    // Ids in application order, as the service hands them out over time.
    certificationDrafts.sort((a, b) => a.events[0]!.at.getTime() - b.events[0]!.at.getTime() || a.product.id.localeCompare(b.product.id));
    const certifications: CertificationDraft[] = certificationDrafts.map((draft, index) => ({
      ...draft,
      id: `cert_b${pad(index + 1, 6)}`,
      certificateNumber: null,
    }));
    // Certificate numbers per (year in China, origin county), in order of issue.
    const sequences = new Map<string, number>();
    const issued = certifications
      .filter((c) => c.validFrom !== null)
      .sort((a, b) => a.validFrom!.getTime() - b.validFrom!.getTime() || a.id.localeCompare(b.id));
    for (const certification of issued) {
      const year = chinaYear(certification.validFrom!);
      const county = certification.product.supplier.region.code;
      const next = (sequences.get(`${year}:${county}`) ?? 0) + 1;
      sequences.set(`${year}:${county}`, next);
      certification.certificateNumber = `FP-${year}-${county}-${pad(next, 6)}`;
    }

    // --- load the three stores in parallel: each is its own database.
    log(`catalog: loading ${suppliers.length} suppliers, ${products.length} products, ${listing.id.length} listings, ${certifications.length} certifications`);
    const loadSuppliers = async (client: pg.Client) => {
      await client.query('BEGIN');
      await client.query(`UPDATE region SET designated_poverty_county = (code = ANY($1::text[]))`, [[...designated]]);
      await bulkInsert(client, 'supplier', [
        ['id', 'text', suppliers.map((s) => s.id)],
        ['name', 'text', suppliers.map((s) => s.name)],
        ['normalized_name', 'text', suppliers.map((s) => s.normalizedName)],
        ['kind', '"SupplierKind"', suppliers.map((s) => s.kind)],
        ['region_code', 'text', suppliers.map((s) => s.region.code)],
        ['beneficiary_households', 'int', suppliers.map((s) => s.households)],
        ['created_at', 'timestamptz', suppliers.map((s) => s.createdAt.toISOString())],
        ['updated_at', 'timestamptz', suppliers.map((s) => s.updatedAt.toISOString())],
      ]);
      await client.query('COMMIT');
    };
    const loadProducts = async (client: pg.Client) => {
      await client.query('BEGIN');
      await bulkInsert(client, 'platform', [
        ['code', 'text', PLATFORMS.map((p) => p.code)],
        ['name', 'text', PLATFORMS.map((p) => p.name)],
        ['created_at', 'timestamptz', PLATFORMS.map((_, i) => new Date(anchor - (1000 - i * 30) * DAY).toISOString())],
      ]);
      await bulkInsert(client, 'product', [
        ['id', 'text', products.map((p) => p.id)],
        ['name', 'text', products.map((p) => p.name)],
        ['description', 'text', products.map((p) => p.description)],
        ['gtin', 'text', products.map((p) => p.gtin)],
        ['category', '"ProductCategory"', products.map((p) => p.category)],
        ['unit', 'text', products.map((p) => p.unit)],
        ['origin_region_code', 'text', products.map((p) => p.supplier.region.code)],
        ['supplier_id', 'text', products.map((p) => p.supplier.id)],
        ['created_at', 'timestamptz', products.map((p) => p.createdAt.toISOString())],
        ['updated_at', 'timestamptz', products.map((p) => p.updatedAt.toISOString())],
      ]);
      await bulkInsert(client, 'listing', [
        ['id', 'text', listing.id],
        ['platform_code', 'text', listing.platform],
        ['external_id', 'text', listing.externalId],
        ['product_id', 'text', listing.product],
        ['title', 'text', listing.title],
        ['url', 'text', listing.url],
        ['price', 'numeric', listing.price],
        ['currency', 'text', listing.id.map(() => 'CNY')],
        ['stock', 'int', listing.stock],
        ['monthly_sales', 'int', listing.sales],
        ['gtin', 'text', listing.gtin],
        ['unit', 'text', listing.unit],
        ['updated_at', 'timestamptz', listing.updatedAt],
      ]);
      // The same aggregates subgraphs/products/listings/listingAggregates.ts keeps on
      // every listing write, computed once for the whole catalog.
      await client.query(`
        WITH per_currency AS (
          SELECT l.product_id, l.currency, min(l.price) AS min_price, max(l.price) AS max_price,
                 row_number() OVER (PARTITION BY l.product_id ORDER BY (l.currency = 'CNY') DESC, l.currency) AS preference
          FROM listing l GROUP BY l.product_id, l.currency
        ), totals AS (
          SELECT l.product_id, COALESCE(sum(l.monthly_sales), 0)::int AS sales, max(l.updated_at) AS last_update
          FROM listing l GROUP BY l.product_id
        )
        UPDATE product p
        SET min_price = c.min_price, max_price = c.max_price, price_currency = c.currency,
            total_monthly_sales = COALESCE(t.sales, 0),
            updated_at = GREATEST(p.updated_at, COALESCE(t.last_update, p.updated_at))
        FROM product q
        LEFT JOIN per_currency c ON c.product_id = q.id AND c.preference = 1
        LEFT JOIN totals t ON t.product_id = q.id
        WHERE p.id = q.id`);
      await client.query('COMMIT');
    };
    const loadCertification = async (client: pg.Client) => {
      // Generated rows take no change version (the trigger of migration
      // 20261203000000 is off for the load: one counter row updated by every
      // row of one transaction would grow a chain of row versions): they are
      // all version 0, and the products subgraph's copy starts from the whole set.
      await client.query(`SET session_replication_role = replica`);
      await client.query('BEGIN');
      await bulkInsert(client, 'certification', [
        ['id', 'text', certifications.map((c) => c.id)],
        ['product_id', 'text', certifications.map((c) => c.product.id)],
        ['status', '"CertificationStatus"', certifications.map((c) => c.status)],
        ['certificate_number', 'text', certifications.map((c) => c.certificateNumber)],
        ['issued_by', 'text', certifications.map((c) => c.issuedBy)],
        ['valid_from', 'timestamptz', certifications.map((c) => c.validFrom?.toISOString() ?? null)],
        ['valid_until', 'timestamptz', certifications.map((c) => c.validUntil?.toISOString() ?? null)],
        ['evidence', 'text', certifications.map((c) => c.evidence)],
        ['version', 'int', certifications.map((c) => c.events.length)],
        ['created_at', 'timestamptz', certifications.map((c) => c.events[0]!.at.toISOString())],
        ['updated_at', 'timestamptz', certifications.map((c) => c.events[c.events.length - 1]!.at.toISOString())],
      ]);
      // Events in certification order, so ids ascend with each history.
      const events = certifications.flatMap((c) => c.events.map((event) => ({ certificationId: c.id, ...event })));
      await bulkInsert(client, 'certification_event', [
        ['certification_id', 'text', events.map((e) => e.certificationId)],
        ['action', 'text', events.map((e) => e.action)],
        ['at', 'timestamptz', events.map((e) => e.at.toISOString())],
        ['actor', 'text', events.map((e) => e.actor)],
        ['note', 'text', events.map((e) => e.note)],
      ]);
      const sequenceRows = [...sequences.entries()].map(([key, value]) => [...key.split(':'), value] as [string, string, number]);
      await bulkInsert(client, 'certificate_sequence', [
        ['year', 'int', sequenceRows.map(([year]) => Number(year))],
        ['region_code', 'text', sequenceRows.map(([, code]) => code)],
        ['last_value', 'int', sequenceRows.map(([, , value]) => value)],
      ]);
      await client.query('COMMIT');
      await client.query(`SET session_replication_role = DEFAULT`);
    };
    await Promise.all([loadSuppliers(clients.suppliers), loadProducts(clients.products), loadCertification(clients.certification)]);
    // Steady-state statistics and visibility map, as a long-running database would have.
    await Promise.all(SUBGRAPH_NAMES.map((name) => clients[name].query('VACUUM ANALYZE')));

    const byStatus: Record<string, number> = {};
    for (const c of certifications) {
      const effective = c.status === 'APPROVED' && c.validUntil!.getTime() <= Date.now() ? 'EXPIRED (lapsed APPROVED)' : c.status;
      byStatus[effective] = (byStatus[effective] ?? 0) + 1;
    }
    const summary: CatalogSummary = {
      regions: allRegions.length,
      designatedCounties: designated.size,
      suppliers: suppliers.length,
      platforms: PLATFORMS.length,
      products: products.length,
      listings: listing.id.length,
      certifications: byStatus,
      certificationEvents: certifications.reduce((sum, c) => sum + c.events.length, 0),
      validCertificates: certifications.filter((c) => c.status === 'APPROVED' && c.validUntil!.getTime() > Date.now()).length,
      ineligibleProducts: products.filter((product) => !isEligible(product)).length,
    };

    await writeMarkers(clients, options.seed, sizes, anchor, summary);
    return { anchor: new Date(anchor), summary };
  } finally {
    await Promise.all(SUBGRAPH_NAMES.map((name) => clients[name].end()));
  }
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'full' },
      seed: { type: 'string', default: '42' },
      fresh: { type: 'boolean', default: false },
    },
  });
  if (!(CATALOG_PROFILES as string[]).includes(values.profile)) throw new Error(`--profile must be one of ${CATALOG_PROFILES.join(', ')}`);
  ensureBenchCatalog({ profile: values.profile as CatalogProfile, seed: Number(values.seed), fresh: values.fresh, log: console.log })
    .then((catalog) => console.log(JSON.stringify({ ...catalog, urls: undefined }, null, 2)))
    .catch((err: Error) => {
      console.error(err);
      process.exit(1);
    });
}
