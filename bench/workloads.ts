// The benchmark's workloads, their fixed variables, and the expected data of
// every request, computed straight from the three databases with plain SQL
// (an oracle independent of the subgraphs' resolvers, loaders and the
// gateways). A reference gateway's answer is accepted as the expected
// response only when its data equals the oracle's (cursors aside: they are
// opaque, so they are taken from the reference and checked by the second-page
// cases, whose oracle is an OFFSET).
import pg from 'pg';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { decideEligibility } from '../subgraphs/certification/eligibility';
import type { SubgraphName } from '../common/topology';
import { expectedGatewayBoundData, GATEWAY_BOUND_QUERY, TOP_PRODUCTS } from './gatewayBound/data';

/** The workloads over the catalog (the three subgraphs and PostgreSQL); `mixed` blends them. */
export const BASE_WORKLOADS = ['catalog20', 'catalog100', 'productDetail', 'nested'] as const;
export type BaseWorkload = (typeof BASE_WORKLOADS)[number];
/** `gatewayBound` runs over its own in-memory subgraphs (bench/gatewayBound/). */
export const WORKLOADS = [...BASE_WORKLOADS, 'mixed', 'gatewayBound'] as const;
export type Workload = (typeof WORKLOADS)[number];
/** A workload whose requests are cases of their own (not a blend). */
export type CaseWorkload = Exclude<Workload, 'mixed'>;

export const isBaseWorkload = (workload: Workload): workload is BaseWorkload => (BASE_WORKLOADS as readonly Workload[]).includes(workload);

export const WORKLOAD_TITLES: Record<Workload, string> = {
  catalog20: 'CatalogPage first: 20',
  catalog100: 'CatalogPage first: 100',
  productDetail: 'ProductDetail',
  nested: 'Nested suppliers → products → supplier → products',
  mixed: 'Mixed (40% catalog 20, 10% catalog 100, 35% detail, 15% nested)',
  gatewayBound: 'Gateway-bound (in-memory subgraphs, deep nesting)',
};

/** Share of each base workload in the mixed workload. */
export const MIXED_WEIGHTS: Record<BaseWorkload, number> = { catalog20: 40, catalog100: 10, productDetail: 35, nested: 15 };

/** Catalog workloads: the ones the response-cache target applies to. */
export const CATALOG_WORKLOADS: readonly Workload[] = ['catalog20', 'catalog100'];

// Many suppliers, each with its products, each product with its supplier
// again and that supplier's products: the same supplier comes back once per
// product, which is where a gateway may send duplicate entity representations.
export const NESTED_QUERY = /* GraphQL */ `
  query NestedSuppliers($regionCode: String, $first: Int!) {
    suppliers(regionCode: $regionCode, first: $first) {
      edges {
        node {
          id
          name
          products(first: 5) {
            edges {
              node {
                id
                name
                reliefCertified
                supplier {
                  id
                  name
                  region {
                    code
                    county
                  }
                  products(first: 5) {
                    totalCount
                    edges {
                      node {
                        id
                        name
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

export interface BenchCase {
  workload: CaseWorkload;
  label: string;
  operationName: string;
  query: string;
  variables: Record<string, unknown>;
  /** Expected `data`, cursors masked, computed from SQL. */
  oracle: unknown;
  /** Exact response body of the reference gateway, once its data matched the oracle. */
  expected?: string;
}

export const CURSOR = '<cursor>';

/** The data with every cursor replaced by a placeholder (cursors are opaque). */
export function maskCursors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskCursors);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        (key === 'cursor' || key === 'endCursor' || key === 'startCursor') && typeof item === 'string' ? CURSOR : maskCursors(item),
      ]),
    );
  }
  return value;
}

/** Where two JSON values first differ, for error messages. */
export function firstDifference(actual: unknown, expected: unknown, path = '$'): string | null {
  if (actual === expected) return null;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) {
    return `${path}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`;
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    if (!Array.isArray(actual) || !Array.isArray(expected)) return `${path}: array vs object`;
    if (actual.length !== expected.length) return `${path}: ${actual.length} items, expected ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      const found = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(e)])) {
    if (!(key in a)) return `${path}.${key}: missing`;
    if (!(key in e)) return `${path}.${key}: unexpected`;
    const found = firstDifference(a[key], e[key], `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

function contractQuery(name: string): string {
  const operation = readContractOperations(defaultContractDir()).find((candidate) => candidate.name === name);
  if (!operation) throw new Error(`the partner contract has no operation ${name} (looked in ${defaultContractDir()})`);
  return operation.query;
}

export function requestBody(entry: Pick<BenchCase, 'operationName' | 'query' | 'variables'>): string {
  return JSON.stringify({ operationName: entry.operationName, query: entry.query, variables: entry.variables });
}

// ---------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------

interface ProductRow {
  id: string;
  name: string;
  description: string | null;
  gtin: string | null;
  category: string;
  unit: string | null;
  min_price: string | null;
  max_price: string | null;
  price_currency: string | null;
  origin_region_code: string;
  supplier_id: string;
}

interface ListingRow {
  product_id: string;
  platform_code: string;
  external_id: string;
  url: string | null;
  price: string;
  currency: string;
  stock: number | null;
  monthly_sales: number | null;
  updated_at: Date;
}

interface SupplierRow {
  id: string;
  name: string;
  kind: string;
  region_code: string;
  beneficiary_households: number;
}

interface RegionRow {
  code: string;
  name: string;
  county: string;
  city: string;
  province: string;
  designated_poverty_county: boolean;
}

interface CertificationRow {
  id: string;
  product_id: string;
  status: string;
  certificate_number: string | null;
  issued_by: string | null;
  valid_from: Date | null;
  valid_until: Date | null;
}

interface Facts {
  products: Map<string, ProductRow>;
  listings: Map<string, ListingRow[]>;
  platforms: Map<string, string>;
  suppliers: Map<string, SupplierRow>;
  regions: Map<string, RegionRow>;
  certifications: Map<string, CertificationRow[]>;
}

export interface CatalogVariables {
  filter?: { category?: string; regionCode?: string; platform?: string; certifiedOnly?: boolean; minPrice?: string; maxPrice?: string };
  orderBy?: 'NAME' | 'PRICE_ASC' | 'PRICE_DESC' | 'SALES_DESC' | 'UPDATED_DESC';
  first: number;
  after?: string;
}

const ORDER_SQL: Record<NonNullable<CatalogVariables['orderBy']>, string> = {
  NAME: 'p.name ASC',
  PRICE_ASC: 'p.min_price ASC NULLS LAST',
  PRICE_DESC: 'p.min_price DESC NULLS LAST',
  SALES_DESC: 'p.total_monthly_sales DESC',
  UPDATED_DESC: 'p.updated_at DESC',
};

export class Oracle {
  private readonly pools: Record<SubgraphName, pg.Pool>;

  constructor(urls: Record<SubgraphName, string>) {
    this.pools = {
      products: new pg.Pool({ connectionString: urls.products, max: 4 }),
      suppliers: new pg.Pool({ connectionString: urls.suppliers, max: 4 }),
      certification: new pg.Pool({ connectionString: urls.certification, max: 4 }),
    };
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.pools).map((pool) => pool.end()));
  }

  private async rows<Row>(name: SubgraphName, sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pools[name].query(sql, params)).rows as Row[];
  }

  private now(): Date {
    return new Date();
  }

  private effectiveStatus(row: CertificationRow, now: Date): string {
    return row.status === 'APPROVED' && row.valid_until !== null && row.valid_until <= now ? 'EXPIRED' : row.status;
  }

  private async facts(productIds: string[]): Promise<Facts> {
    const products = await this.rows<ProductRow>(
      'products',
      `SELECT id, name, description, gtin, category::text AS category, unit, min_price::text AS min_price, max_price::text AS max_price,
              price_currency, origin_region_code, supplier_id
       FROM product WHERE id = ANY($1::text[])`,
      [productIds],
    );
    const listings = await this.rows<ListingRow>(
      'products',
      // Ordered by the numeric price, not by its text form selected under the same name.
      `SELECT l.product_id, l.platform_code, l.external_id, l.url, l.price::text AS price, l.currency, l.stock, l.monthly_sales, l.updated_at
       FROM listing l WHERE l.product_id = ANY($1::text[]) ORDER BY l.product_id, l.price, l.platform_code, l.external_id`,
      [productIds],
    );
    const platforms = await this.rows<{ code: string; name: string }>('products', `SELECT code, name FROM platform`);
    const supplierIds = [...new Set(products.map((product) => product.supplier_id))];
    const suppliers = await this.rows<SupplierRow>(
      'suppliers',
      `SELECT id, name, kind::text AS kind, region_code, beneficiary_households FROM supplier WHERE id = ANY($1::text[])`,
      [supplierIds],
    );
    const codes = [...new Set([...products.map((p) => p.origin_region_code), ...suppliers.map((s) => s.region_code)])];
    const regions = await this.rows<RegionRow>(
      'suppliers',
      `SELECT code, name, county, city, province, designated_poverty_county FROM region WHERE code = ANY($1::text[])`,
      [codes],
    );
    const certifications = await this.rows<CertificationRow>(
      'certification',
      `SELECT id, product_id, status::text AS status, certificate_number, issued_by, valid_from, valid_until
       FROM certification WHERE product_id = ANY($1::text[]) ORDER BY created_at DESC, id DESC`,
      [productIds],
    );
    const group = <Row>(rows: Row[], key: (row: Row) => string) => {
      const map = new Map<string, Row[]>();
      for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
      return map;
    };
    return {
      products: new Map(products.map((row) => [row.id, row])),
      listings: group(listings, (row) => row.product_id),
      platforms: new Map(platforms.map((row) => [row.code, row.name])),
      suppliers: new Map(suppliers.map((row) => [row.id, row])),
      regions: new Map(regions.map((row) => [row.code, row])),
      certifications: group(certifications, (row) => row.product_id),
    };
  }

  private reliefCertified(facts: Facts, productId: string, now: Date): boolean {
    return (facts.certifications.get(productId) ?? []).some((row) => this.effectiveStatus(row, now) === 'APPROVED');
  }

  /** The public certification: the latest certificate ever issued (APPROVED, EXPIRED or REVOKED). */
  private publicCertification(facts: Facts, productId: string): CertificationRow | null {
    return (facts.certifications.get(productId) ?? []).find((row) => ['APPROVED', 'EXPIRED', 'REVOKED'].includes(row.status)) ?? null;
  }

  private catalogNode(facts: Facts, id: string, now: Date) {
    const product = facts.products.get(id)!;
    const origin = facts.regions.get(product.origin_region_code)!;
    const supplier = facts.suppliers.get(product.supplier_id)!;
    const supplierRegion = facts.regions.get(supplier.region_code)!;
    const certification = this.publicCertification(facts, id);
    return {
      id,
      name: product.name,
      gtin: product.gtin,
      category: product.category,
      unit: product.unit,
      priceRange:
        product.min_price && product.max_price && product.price_currency
          ? { min: { amount: product.min_price, currency: product.price_currency }, max: { amount: product.max_price, currency: product.price_currency } }
          : null,
      origin: { code: origin.code, county: origin.county, province: origin.province, designatedPovertyCounty: origin.designated_poverty_county },
      supplier: {
        id: supplier.id,
        name: supplier.name,
        kind: supplier.kind,
        region: {
          code: supplierRegion.code,
          county: supplierRegion.county,
          province: supplierRegion.province,
          designatedPovertyCounty: supplierRegion.designated_poverty_county,
        },
      },
      reliefCertified: this.reliefCertified(facts, id, now),
      certification: certification
        ? {
            status: this.effectiveStatus(certification, now),
            certificateNumber: certification.certificate_number,
            validUntil: certification.valid_until?.toISOString() ?? null,
          }
        : null,
      listings: (facts.listings.get(id) ?? []).map((listing) => ({
        platform: { code: listing.platform_code, name: facts.platforms.get(listing.platform_code)! },
        externalId: listing.external_id,
        url: listing.url,
        price: { amount: listing.price, currency: listing.currency },
        stock: listing.stock,
      })),
    };
  }

  private async certifiedIds(): Promise<string[]> {
    const rows = await this.rows<{ product_id: string }>(
      'certification',
      `SELECT DISTINCT product_id FROM certification WHERE status = 'APPROVED' AND valid_until > now()`,
    );
    return rows.map((row) => row.product_id);
  }

  /** The CatalogPage answer; `offset` is the number of rows before the page (for second pages). */
  async catalogPage(variables: CatalogVariables, offset = 0): Promise<unknown> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const filter = variables.filter ?? {};
    if (filter.category) conditions.push(`p.category::text = ${param(filter.category)}`);
    if (filter.regionCode) conditions.push(`starts_with(p.origin_region_code::text, ${param(filter.regionCode)})`);
    if (filter.platform) conditions.push(`p.id IN (SELECT product_id FROM listing WHERE platform_code = ${param(filter.platform)})`);
    if (filter.certifiedOnly) conditions.push(`p.id = ANY(${param(await this.certifiedIds())}::text[])`);
    if (filter.minPrice !== undefined) conditions.push(`p.min_price >= ${param(filter.minPrice)}::numeric`);
    if (filter.maxPrice !== undefined) conditions.push(`p.min_price <= ${param(filter.maxPrice)}::numeric`);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const order = ORDER_SQL[variables.orderBy ?? 'NAME'];
    const ids = (
      await this.rows<{ id: string }>(
        'products',
        `SELECT p.id FROM product p ${where} ORDER BY ${order}, p.id ASC LIMIT ${variables.first + 1} OFFSET ${offset}`,
        params,
      )
    ).map((row) => row.id);
    const [{ count }] = await this.rows<{ count: number }>('products', `SELECT count(*)::int AS count FROM product p ${where}`, params);
    const page = ids.slice(0, variables.first);
    const facts = await this.facts(page);
    const now = this.now();
    return {
      products: {
        totalCount: count,
        pageInfo: { hasNextPage: ids.length > variables.first, endCursor: page.length ? CURSOR : null },
        edges: page.map((id) => ({ cursor: CURSOR, node: this.catalogNode(facts, id, now) })),
      },
    };
  }

  async productDetail(id: string): Promise<unknown> {
    const facts = await this.facts([id]);
    const product = facts.products.get(id);
    if (!product) return { product: null };
    const now = this.now();
    const origin = facts.regions.get(product.origin_region_code)!;
    const supplier = facts.suppliers.get(product.supplier_id)!;
    const supplierRegion = facts.regions.get(supplier.region_code)!;
    const certification = this.publicCertification(facts, id);
    return {
      product: {
        id,
        name: product.name,
        description: product.description,
        gtin: product.gtin,
        category: product.category,
        unit: product.unit,
        origin: {
          code: origin.code,
          name: origin.name,
          county: origin.county,
          city: origin.city,
          province: origin.province,
          designatedPovertyCounty: origin.designated_poverty_county,
        },
        supplier: {
          id: supplier.id,
          name: supplier.name,
          kind: supplier.kind,
          beneficiaryHouseholds: supplier.beneficiary_households,
          region: {
            code: supplierRegion.code,
            county: supplierRegion.county,
            province: supplierRegion.province,
            designatedPovertyCounty: supplierRegion.designated_poverty_county,
          },
        },
        reliefCertified: this.reliefCertified(facts, id, now),
        reliefEligibility: decideEligibility({
          regionCode: supplierRegion.code,
          designatedPovertyCounty: supplierRegion.designated_poverty_county,
          beneficiaryHouseholds: supplier.beneficiary_households,
        }),
        certification: certification
          ? {
              id: certification.id,
              status: this.effectiveStatus(certification, now),
              certificateNumber: certification.certificate_number,
              issuedBy: certification.issued_by,
              validFrom: certification.valid_from?.toISOString() ?? null,
              validUntil: certification.valid_until?.toISOString() ?? null,
            }
          : null,
        listings: (facts.listings.get(id) ?? []).map((listing) => ({
          platform: { code: listing.platform_code, name: facts.platforms.get(listing.platform_code)! },
          externalId: listing.external_id,
          url: listing.url,
          price: { amount: listing.price, currency: listing.currency },
          stock: listing.stock,
          monthlySales: listing.monthly_sales,
          updatedAt: listing.updated_at.toISOString(),
        })),
      },
    };
  }

  async nested(variables: { regionCode: string | null; first: number }): Promise<unknown> {
    const suppliers = await this.rows<SupplierRow>(
      'suppliers',
      `SELECT id, name, kind::text AS kind, region_code, beneficiary_households FROM supplier
       WHERE $1::text IS NULL OR starts_with(region_code::text, $1::text)
       ORDER BY name, id LIMIT ${variables.first}`,
      [variables.regionCode],
    );
    const supplierIds = suppliers.map((supplier) => supplier.id);
    const ranked = await this.rows<{ id: string; name: string; supplier_id: string }>(
      'products',
      `SELECT id, name, supplier_id FROM (
         SELECT id, name, supplier_id, row_number() OVER (PARTITION BY supplier_id ORDER BY name, id) AS position
         FROM product WHERE supplier_id = ANY($1::text[])
       ) ranked WHERE position <= 5 ORDER BY supplier_id, position`,
      [supplierIds],
    );
    const counts = await this.rows<{ supplier_id: string; count: number }>(
      'products',
      `SELECT supplier_id, count(*)::int AS count FROM product WHERE supplier_id = ANY($1::text[]) GROUP BY supplier_id`,
      [supplierIds],
    );
    const regions = await this.rows<RegionRow>(
      'suppliers',
      `SELECT code, name, county, city, province, designated_poverty_county FROM region WHERE code = ANY($1::text[])`,
      [[...new Set(suppliers.map((supplier) => supplier.region_code))]],
    );
    const certifications = await this.rows<CertificationRow>(
      'certification',
      `SELECT id, product_id, status::text AS status, certificate_number, issued_by, valid_from, valid_until
       FROM certification WHERE product_id = ANY($1::text[])`,
      [ranked.map((row) => row.id)],
    );
    const now = this.now();
    const certified = new Set(certifications.filter((row) => this.effectiveStatus(row, now) === 'APPROVED').map((row) => row.product_id));
    const regionByCode = new Map(regions.map((region) => [region.code, region]));
    const countBySupplier = new Map(counts.map((row) => [row.supplier_id, row.count]));
    const productsOf = (supplierId: string) => ranked.filter((row) => row.supplier_id === supplierId);
    return {
      suppliers: {
        edges: suppliers.map((supplier) => {
          const region = regionByCode.get(supplier.region_code)!;
          const page = productsOf(supplier.id);
          return {
            node: {
              id: supplier.id,
              name: supplier.name,
              products: {
                edges: page.map((product) => ({
                  node: {
                    id: product.id,
                    name: product.name,
                    reliefCertified: certified.has(product.id),
                    supplier: {
                      id: supplier.id,
                      name: supplier.name,
                      region: { code: region.code, county: region.county },
                      products: {
                        totalCount: countBySupplier.get(supplier.id) ?? 0,
                        edges: page.map((again) => ({ node: { id: again.id, name: again.name } })),
                      },
                    },
                  },
                })),
              },
            },
          };
        }),
      },
    };
  }

  // -------------------------------------------------------------------------
  // Fixed variables, chosen from the data (deterministic for a catalog)
  // -------------------------------------------------------------------------

  async busiestPrefixes(length: number, count: number): Promise<string[]> {
    const rows = await this.rows<{ prefix: string }>(
      'products',
      `SELECT left(origin_region_code, ${length}) AS prefix FROM product GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${count}`,
    );
    return rows.map((row) => row.prefix);
  }

  async supplierProvinces(count: number): Promise<string[]> {
    const rows = await this.rows<{ prefix: string }>(
      'suppliers',
      `SELECT left(region_code, 2) AS prefix FROM supplier GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${count}`,
    );
    return rows.map((row) => row.prefix);
  }

  /** Products in every certification situation (and none), picked by a hash so the choice is stable. */
  async detailProductIds(perStatus: number, uncertified: number, seed: number): Promise<string[]> {
    const picked: string[] = [];
    for (const condition of [
      `status = 'APPROVED' AND valid_until > now()`,
      `status = 'APPROVED' AND valid_until <= now()`,
      `status = 'EXPIRED'`,
      `status = 'REVOKED'`,
      `status = 'REJECTED'`,
      `status = 'PENDING'`,
    ]) {
      const rows = await this.rows<{ product_id: string }>(
        'certification',
        `SELECT product_id FROM certification WHERE ${condition} ORDER BY md5(product_id || $1::text) LIMIT ${perStatus}`,
        [String(seed)],
      );
      picked.push(...rows.map((row) => row.product_id));
    }
    const others = await this.rows<{ id: string }>('products', `SELECT id FROM product ORDER BY md5(id || $1::text) LIMIT ${uncertified}`, [String(seed)]);
    picked.push(...others.map((row) => row.id));
    return [...new Set(picked)];
  }
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

export interface CaseSet {
  cases: BenchCase[];
  /** Second pages: built once the first pages' reference cursors are known. */
  secondPages(reference: (entry: BenchCase) => unknown): Promise<BenchCase[]>;
}

/** Runs `work` over `items` with at most `limit` at once, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

const CATEGORIES = ['FRUIT', 'VEGETABLE', 'GRAIN', 'TEA', 'MEAT_POULTRY', 'AQUATIC', 'PROCESSED_FOOD', 'HANDICRAFT', 'OTHER'];

/**
 * The catalog pages partners ask for, most popular first: the unfiltered
 * catalog in every order, each category, the busiest provinces and cities,
 * each platform, certified goods, price bands.
 */
async function catalogFilters(oracle: Oracle): Promise<Omit<CatalogVariables, 'first'>[]> {
  const provinces = await oracle.busiestPrefixes(2, 6);
  const cities = await oracle.busiestPrefixes(4, 4);
  return [
    ...(['NAME', 'SALES_DESC', 'PRICE_ASC', 'UPDATED_DESC', 'PRICE_DESC'] as const).map((orderBy) => ({ orderBy })),
    ...CATEGORIES.flatMap((category) => (['NAME', 'SALES_DESC', 'PRICE_ASC'] as const).map((orderBy) => ({ filter: { category }, orderBy }))),
    { filter: { certifiedOnly: true } },
    { filter: { certifiedOnly: true }, orderBy: 'SALES_DESC' },
    ...provinces.flatMap((regionCode) => (['NAME', 'PRICE_ASC'] as const).map((orderBy) => ({ filter: { regionCode }, orderBy }))),
    ...['jd', 'pdd', 'douyin', 'taobao'].flatMap((platform) => (['NAME', 'PRICE_ASC'] as const).map((orderBy) => ({ filter: { platform }, orderBy }))),
    ...cities.map((regionCode) => ({ filter: { regionCode } })),
    ...['FRUIT', 'GRAIN', 'TEA'].map((category) => ({ filter: { certifiedOnly: true, category }, orderBy: 'SALES_DESC' as const })),
    ...[
      ['0', '20'],
      ['20', '60'],
      ['60', '150'],
      ['150', '9999'],
    ].map(([minPrice, maxPrice]) => ({ filter: { minPrice, maxPrice }, orderBy: 'PRICE_ASC' as const })),
  ];
}

/**
 * Every request the benchmark sends, with its oracle data. `quick` keeps
 * about a third of them (every third catalog filter, fewer products and
 * regions), so a first look spends its time under load, not in setup.
 */
export async function buildCases(oracle: Oracle, seed: number, quick = false): Promise<CaseSet> {
  const catalogQuery = contractQuery('CatalogPage');
  const detailQuery = contractQuery('ProductDetail');
  const filters = (await catalogFilters(oracle)).filter((_filter, index) => !quick || index % 3 === 0);
  const specs: Omit<BenchCase, 'oracle'>[] = [];
  for (const [workload, first] of [
    ['catalog20', 20],
    ['catalog100', 100],
  ] as const) {
    for (const partial of filters) {
      specs.push({
        workload,
        label: `CatalogPage ${JSON.stringify(partial)} first ${first}`,
        operationName: 'CatalogPage',
        query: catalogQuery,
        variables: { ...partial, first },
      });
    }
  }
  for (const id of await oracle.detailProductIds(quick ? 6 : 20, quick ? 24 : 80, seed)) {
    specs.push({ workload: 'productDetail', label: `ProductDetail ${id}`, operationName: 'ProductDetail', query: detailQuery, variables: { id } });
  }
  for (const regionCode of [null, ...(await oracle.supplierProvinces(quick ? 7 : 15))]) {
    specs.push({
      workload: 'nested',
      label: `NestedSuppliers ${regionCode ?? 'all'}`,
      operationName: 'NestedSuppliers',
      query: NESTED_QUERY,
      variables: { regionCode, first: 20 },
    });
  }
  // The oracle's queries are independent: a few at a time keeps the setup short.
  const cases = await mapLimit(specs, 6, async (spec): Promise<BenchCase> => {
    const variables = spec.variables as never;
    const expected =
      spec.operationName === 'CatalogPage'
        ? await oracle.catalogPage(variables)
        : spec.operationName === 'ProductDetail'
          ? await oracle.productDetail((spec.variables as { id: string }).id)
          : await oracle.nested(variables);
    return { ...spec, oracle: expected };
  });
  return {
    cases,
    // Second pages of the unfiltered catalog in every order and of the first categories, in both page sizes.
    secondPages: async (reference) => {
      const firstPages = cases.filter((entry) => {
        if (entry.operationName !== 'CatalogPage') return false;
        const filter = (entry.variables as unknown as CatalogVariables).filter;
        return !filter || (filter.category && ['FRUIT', 'VEGETABLE', 'GRAIN'].includes(filter.category) && Object.keys(filter).length === 1);
      });
      return mapLimit(firstPages, 6, async (entry): Promise<BenchCase> => {
        const variables = entry.variables as unknown as CatalogVariables;
        const data = reference(entry) as { products: { pageInfo: { endCursor: string | null } } };
        const after = data.products.pageInfo.endCursor;
        if (!after) throw new Error(`${entry.label} has no second page`);
        return {
          ...entry,
          label: `${entry.label} page 2`,
          variables: { ...variables, after } as unknown as Record<string, unknown>,
          oracle: await oracle.catalogPage(variables, variables.first),
          expected: undefined,
        };
      });
    },
  };
}

/**
 * The gateway-bound workload's one request. Its expected data is computed
 * from the subgraphs' in-memory records, so there is no reference gateway to
 * ask: the expected body is that data as JSON.
 */
export function gatewayBoundCases(): BenchCase[] {
  const data = expectedGatewayBoundData(TOP_PRODUCTS);
  return [
    {
      workload: 'gatewayBound',
      label: `GatewayBound first ${TOP_PRODUCTS}`,
      operationName: 'GatewayBound',
      query: GATEWAY_BOUND_QUERY,
      variables: { first: TOP_PRODUCTS },
      oracle: data,
      expected: JSON.stringify({ data }),
    },
  ];
}

/**
 * How often each request is drawn within its workload: Zipf (weight 1/rank)
 * over the cases in the order they were defined, most popular first. A real
 * catalog has a few hot pages and a long tail; equal weights over a handful
 * of requests would flatter every form of caching and request deduplication.
 */
export function zipfWeights(cases: readonly BenchCase[]): Map<BenchCase, number> {
  const weights = new Map<BenchCase, number>();
  for (const workload of new Set(cases.map((entry) => entry.workload))) {
    const members = cases.filter((entry) => entry.workload === workload);
    const total = members.reduce((sum, _entry, rank) => sum + 1 / (rank + 1), 0);
    members.forEach((entry, rank) => weights.set(entry, 1 / (rank + 1) / total));
  }
  return weights;
}
