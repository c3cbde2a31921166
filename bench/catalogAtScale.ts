// The catalog at alliance scale (a million products, three million listings):
// the same shape as the 50,000-product catalog, but generated inside
// PostgreSQL with INSERT ... SELECT FROM generate_series. Arrays of a million
// rows built in Node and sent in batches would take most of the time and
// gigabytes of memory; here Node sends only the suppliers (a few tens of
// thousands of rows, named by the same code as the smaller catalog) and the
// vocabulary, and every product, listing and certification is drawn by SQL.
//
// Draws are deterministic: u(i, k) is a hash of the row number i under the
// seed and a stream number k (hashint8extended), so the two databases that
// need the same facts about product i (products and certification) compute
// them independently and agree.
import type pg from 'pg';
import { CATEGORIES, CATEGORY_WEIGHTS, GOODS, PROMOS, ADJECTIVES, REVIEWERS } from './catalogVocabulary';

export interface ScaleSupplier {
  id: string;
  regionCode: string;
  province: string;
  city: string;
  county: string;
  countyStem: string;
  name: string;
  category: string;
  households: number;
  eligible: boolean;
  createdAt: Date;
}

export interface ScaleSizes {
  products: number;
  listings: number;
}

export interface ScaleCertificationCounts {
  certifications: Record<string, number>;
  certificationEvents: number;
  validCertificates: number;
  ineligibleProducts: number;
}

const DAY = `interval '1 day'`;
const HOUR = `interval '1 hour'`;
const MINUTE = `interval '1 minute'`;

/** Uniform draws in [0, 1) from (row, stream), seeded; inlined by the planner (a plain SQL expression). */
async function defineDraws(client: pg.Client, seed: number): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS bench`);
  await client.query(`
    CREATE OR REPLACE FUNCTION bench.u(i bigint, k int) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8extended(i, ${seed}::bigint * 1000 + k) & 9007199254740991)::float8 / 9007199254740992.0::float8 $$`);
  await client.query(`
    CREATE OR REPLACE FUNCTION bench.pick(i bigint, k int, n int) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor(bench.u(i, k) * n)::int $$`);
}

// The supplier of product i: half uniform, half skewed towards the first
// suppliers (u²), so a few suppliers carry thousands of products and most a few.
const supplierOf = (i: string, suppliers: number) =>
  `(CASE WHEN bench.u(${i}, 1) < 0.5 THEN bench.pick(${i}, 2, ${suppliers}) ELSE floor(power(bench.u(${i}, 2), 2) * ${suppliers})::int END)`;

async function loadSupplierFacts(client: pg.Client, suppliers: readonly ScaleSupplier[]): Promise<void> {
  await client.query(`
    CREATE UNLOGGED TABLE bench.gen_supplier (
      idx int PRIMARY KEY, id text, region_code text, province text, city text, county text, county_stem text,
      name text, category text, households int, eligible boolean, created_at timestamptz)`);
  for (let offset = 0; offset < suppliers.length; offset += 10_000) {
    const batch = suppliers.slice(offset, offset + 10_000);
    await client.query(
      `INSERT INTO bench.gen_supplier
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::boolean[], $12::timestamptz[])`,
      [
        batch.map((_, index) => offset + index),
        batch.map((s) => s.id),
        batch.map((s) => s.regionCode),
        batch.map((s) => s.province),
        batch.map((s) => s.city),
        batch.map((s) => s.county),
        batch.map((s) => s.countyStem),
        batch.map((s) => s.name),
        batch.map((s) => s.category),
        batch.map((s) => s.households),
        batch.map((s) => s.eligible),
        batch.map((s) => s.createdAt.toISOString()),
      ],
    );
  }
}

/** Products, listings and their aggregates, in the products database. Returns the ineligible product count. */
export async function loadProductsAtScale(
  client: pg.Client,
  options: { seed: number; sizes: ScaleSizes; anchor: Date; suppliers: readonly ScaleSupplier[] },
): Promise<void> {
  const { seed, sizes, anchor, suppliers } = options;
  if (sizes.listings !== sizes.products * 3) throw new Error('the catalog at scale has three listings per product on average: listings must be 3 × products');
  await defineDraws(client, seed);
  await loadSupplierFacts(client, suppliers);
  // Every (category, goods, pack) the vocabulary offers, numbered per category.
  const offers = CATEGORIES.flatMap((category) =>
    GOODS[category].flatMap((goods) =>
      goods.packs.map(([label, unit]) => ({ category, noun: goods.noun, label, unit, low: goods.price[0], high: goods.price[1] })),
    ),
  );
  await client.query(`CREATE UNLOGGED TABLE bench.gen_offer (category text, k int, n int, noun text, label text, unit text, low int, high int)`);
  await client.query(
    `INSERT INTO bench.gen_offer
     SELECT c, (row_number() OVER (PARTITION BY c ORDER BY o) - 1)::int, (count(*) OVER (PARTITION BY c))::int, noun, label, unit, low, high
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) WITH ORDINALITY AS t(c, noun, label, unit, low, high, o)`,
    [
      offers.map((o) => o.category),
      offers.map((o) => o.noun),
      offers.map((o) => o.label),
      offers.map((o) => o.unit),
      offers.map((o) => o.low),
      offers.map((o) => o.high),
    ],
  );
  await client.query(`CREATE UNLOGGED TABLE bench.gen_offer_count AS SELECT category, max(n) AS n FROM bench.gen_offer GROUP BY category`);
  await client.query(`CREATE INDEX ON bench.gen_offer (category, k)`);
  await client.query(`ANALYZE bench.gen_offer`);
  // Categories by their catalog weight, as cumulative bounds.
  const total = CATEGORIES.reduce((sum, category) => sum + CATEGORY_WEIGHTS[category], 0);
  let running = 0;
  const categoryCase = CATEGORIES.map((category) => {
    running += CATEGORY_WEIGHTS[category];
    return `WHEN bench.u(i, 3) < ${running / total} THEN '${category}'`;
  }).join(' ');
  const adjectives = `ARRAY[${ADJECTIVES.map((a) => `'${a}'`).join(',')}]`;
  const promos = `ARRAY[${PROMOS.map((p) => `'${p}'`).join(',')}]`;
  const anchorSql = `'${anchor.toISOString()}'::timestamptz`;

  // GTIN-13 check digit (weights 1, 3 from the left), as a plain expression the planner inlines.
  const terms = Array.from({ length: 12 }, (_, index) => `substr(body, ${index + 1}, 1)::int * ${index % 2 === 0 ? 1 : 3}`).join(' + ');
  await client.query(`
    CREATE OR REPLACE FUNCTION bench.gtin13(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT body || ((10 - (${terms}) % 10) % 10)::text $$`);

  // Staging: every product's draws once.
  await client.query(`
    CREATE UNLOGGED TABLE bench.gen_product AS
    SELECT d.i, 'prd_m' || lpad(d.i::text, 7, '0') AS id, s.id AS supplier_id, s.region_code,
           s.county_stem || a.adjective || o.noun || CASE WHEN o.label = '' THEN '' ELSE ' ' || o.label END AS name,
           '产自' || s.province || s.city || s.county || '的' || a.adjective || o.noun || '，' || (${promos})[1 + bench.pick(d.i, 6, ${PROMOS.length})]
             || '，由' || s.name || '统一分拣包装后发货。' AS description,
           CASE WHEN bench.u(d.i, 7) < 0.6 THEN bench.gtin13('69' || lpad(d.i::text, 10, '0')) END AS gtin,
           d.category, o.unit,
           (round((o.low + bench.pick(d.i, 8, o.high - o.low + 1)) / 10.0) * 10)::int AS base_price,
           greatest(s.created_at + ${DAY}, ${anchorSql} - (30 + bench.pick(d.i, 9, 871)) * ${DAY} - bench.pick(d.i, 10, 1440) * ${MINUTE}) AS created_at,
           -- Listings per product: 1 to 4 (10, 20, 30, 40 %), three on average, exactly 3 × products in all.
           (ARRAY[1, 2, 2, 3, 3, 3, 4, 4, 4, 4])[1 + ((d.i * 7919) % 10)::int] AS listings,
           bench.pick(d.i, 11, 4) AS first_platform
    FROM (
      SELECT i, ${supplierOf('i', suppliers.length)} AS supplier_idx,
             CASE WHEN bench.u(i, 4) < 0.8 THEN NULL ELSE CASE ${categoryCase} END END AS other_category
      FROM generate_series(1, ${sizes.products}::bigint) AS i
    ) AS pre
    JOIN bench.gen_supplier s ON s.idx = pre.supplier_idx
    CROSS JOIN LATERAL (SELECT pre.i, COALESCE(pre.other_category, s.category) AS category) AS d
    JOIN bench.gen_offer_count c ON c.category = d.category
    JOIN bench.gen_offer o ON o.category = d.category AND o.k = bench.pick(d.i, 5, c.n)
    CROSS JOIN LATERAL (SELECT (${adjectives})[1 + bench.pick(d.i, 12, ${ADJECTIVES.length})] AS adjective) AS a`);

  // Secondary indexes are built once after the load rather than maintained
  // row by row (the migrations' own definitions, so the result is the same).
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
    SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
    JOIN pg_class c ON c.relname = i.indexname
    LEFT JOIN pg_constraint k ON k.conindid = c.oid
    WHERE i.schemaname = 'public' AND i.tablename IN ('product', 'listing') AND k.oid IS NULL`);
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);

  // Listings: slot s of product i is on platform (first + s) mod 4; external ids unique per platform.
  await client.query(`
    INSERT INTO platform (code, name, created_at) VALUES
      ('jd', '京东', ${anchorSql} - 1000 * ${DAY}), ('pdd', '拼多多', ${anchorSql} - 970 * ${DAY}),
      ('douyin', '抖音电商', ${anchorSql} - 940 * ${DAY}), ('taobao', '淘宝', ${anchorSql} - 910 * ${DAY})`);
  await client.query(`
    INSERT INTO listing (id, platform_code, external_id, product_id, title, url, price, currency, stock, monthly_sales, gtin, unit, updated_at)
    SELECT 'lst_m' || lpad((p.i * 4 + slot)::text, 8, '0'),
           platform,
           ext,
           p.id,
           CASE platform
             WHEN 'jd' THEN '【京东物流】' || p.name || ' ' || promo || ' 助农扶贫产品'
             WHEN 'pdd' THEN '【百亿补贴】' || replace(p.name, ' ', '') || '包邮 ' || promo || ' 产地直发 坏单包退'
             WHEN 'douyin' THEN '直播间专享｜' || p.name || ' ' || promo || '【顺丰包邮】'
             ELSE p.name || ' 【包邮】' || promo || ' 农家自产 当季新货'
           END,
           CASE platform
             WHEN 'jd' THEN 'https://item.jd.com/' || ext || '.html'
             WHEN 'pdd' THEN 'https://mobile.yangkeduo.com/goods.html?goods_id=' || ext
             WHEN 'douyin' THEN 'https://haohuo.jinritemai.com/ecommerce/trade/detail/index.html?id=' || ext
             ELSE 'https://item.taobao.com/item.htm?id=' || ext
           END,
           (greatest(100, round(p.base_price * factor / 10) * 10 + bench.pick(p.i * 4 + slot, 20, 5) * 10) / 100.0)::numeric(12, 2),
           'CNY',
           CASE WHEN bench.u(p.i * 4 + slot, 21) < 0.05 THEN NULL WHEN bench.u(p.i * 4 + slot, 22) < 0.11 THEN 0 ELSE 20 + bench.pick(p.i * 4 + slot, 23, 1501) END,
           bench.pick(p.i * 4 + slot, 24, 801) * sales_factor,
           CASE WHEN platform IN ('jd', 'taobao') THEN p.gtin END,
           p.unit,
           ${anchorSql} - (1 + bench.pick(p.i * 4 + slot, 25, 2000)) * ${HOUR} - bench.pick(p.i * 4 + slot, 26, 60) * ${MINUTE}
    FROM bench.gen_product p
    CROSS JOIN LATERAL generate_series(0, p.listings - 1) AS slot
    CROSS JOIN LATERAL (
      SELECT (ARRAY['jd', 'pdd', 'douyin', 'taobao'])[1 + (p.first_platform + slot) % 4] AS platform,
             (${promos})[1 + bench.pick(p.i * 4 + slot, 27, ${PROMOS.length})] AS promo
    ) AS l
    CROSS JOIN LATERAL (
      SELECT CASE l.platform
               WHEN 'jd' THEN '100' || lpad((p.i * 4 + slot)::text, 9, '0')
               WHEN 'pdd' THEN '5' || lpad((p.i * 4 + slot)::text, 11, '0')
               WHEN 'douyin' THEN '36' || lpad((p.i * 4 + slot)::text, 17, '0')
               ELSE '6' || lpad((p.i * 4 + slot)::text, 11, '0')
             END AS ext,
             CASE l.platform WHEN 'jd' THEN 1.03 WHEN 'pdd' THEN 0.96 WHEN 'douyin' THEN 0.99 ELSE 1 END AS factor,
             CASE l.platform WHEN 'pdd' THEN 3 WHEN 'douyin' THEN 2 ELSE 1 END AS sales_factor
    ) AS x
    ORDER BY p.i, slot`);

  // Products with the aggregates listingAggregates.ts keeps (all listings are CNY here).
  await client.query(`
    INSERT INTO product (id, name, description, gtin, category, unit, origin_region_code, supplier_id,
                         min_price, max_price, price_currency, total_monthly_sales, created_at, updated_at)
    SELECT p.id, p.name, p.description, p.gtin,
           p.category::"ProductCategory", p.unit, p.region_code, p.supplier_id,
           a.min_price, a.max_price, 'CNY', a.sales,
           p.created_at,
           greatest(least(${anchorSql} - ${HOUR}, p.created_at + bench.pick(p.i, 13, 201) * ${DAY}), a.last_update)
    FROM bench.gen_product p
    JOIN (
      SELECT product_id, min(price) AS min_price, max(price) AS max_price, COALESCE(sum(monthly_sales), 0)::int AS sales, max(updated_at) AS last_update
      FROM listing GROUP BY product_id
    ) a ON a.product_id = p.id
    ORDER BY p.i`);
  for (const index of indexes) await client.query(index.definition);
  // The counts product_count's triggers would have kept (they do not fire during the load).
  await client.query(`DELETE FROM product_count`);
  await client.query(`INSERT INTO product_count SELECT category, origin_region_code, count(*)::int FROM product GROUP BY 1, 2`);
  await client.query(`DROP TABLE bench.gen_product, bench.gen_offer, bench.gen_offer_count, bench.gen_supplier`);
}

/**
 * One certification for 40 % of the products, in every status (valid,
 * lapsed, rejected, pending, revoked), with its history and certificate
 * numbers per year and county; ineligible products only ever rejected or pending.
 */
export async function loadCertificationsAtScale(
  client: pg.Client,
  options: { seed: number; sizes: ScaleSizes; anchor: Date; suppliers: readonly ScaleSupplier[] },
): Promise<ScaleCertificationCounts> {
  const { seed, sizes, anchor, suppliers } = options;
  await defineDraws(client, seed);
  await loadSupplierFacts(client, suppliers);
  const anchorSql = `'${anchor.toISOString()}'::timestamptz`;
  const reviewers = `ARRAY[${REVIEWERS.map((r) => `'reviewer:${r}'`).join(',')}]`;
  const applicants = `ARRAY['platform:jd','platform:pdd','platform:douyin','platform:taobao','张桂英','李春花','陈明']`;
  // Outcome by weight: eligible products VALID 45, LAPSED 8, REJECTED 17, PENDING 27, REVOKED 8; ineligible REJECTED 17, PENDING 27.
  await client.query(`
    CREATE UNLOGGED TABLE bench.gen_certification AS
    SELECT i, product_id, region_code, province, county, supplier_name, households, eligible, outcome, valid_days,
           decided, closed,
           CASE outcome WHEN 'PENDING' THEN ${anchorSql} - bench.pick(i, 32, 61) * ${DAY} - bench.pick(i, 33, 601) * ${MINUTE} - ${HOUR}
                        ELSE decided - (3 + bench.pick(i, 34, 18)) * ${DAY} - bench.pick(i, 35, 601) * ${MINUTE} END AS applied
    FROM (
      SELECT i, product_id, region_code, province, county, supplier_name, households, eligible, outcome, valid_days,
             CASE outcome
               WHEN 'VALID' THEN ${anchorSql} - (2 + bench.pick(i, 36, valid_days - 62)) * ${DAY} - bench.pick(i, 37, 601) * ${MINUTE}
               WHEN 'LAPSED' THEN ${anchorSql} - valid_days * ${DAY} - (1 + bench.pick(i, 36, 300)) * ${DAY} - bench.pick(i, 37, 601) * ${MINUTE}
               WHEN 'REJECTED' THEN ${anchorSql} - ${HOUR} - (1 + bench.pick(i, 36, 400)) * ${DAY} - bench.pick(i, 37, 601) * ${MINUTE}
               WHEN 'REVOKED' THEN ${anchorSql} - ${HOUR} - (1 + bench.pick(i, 38, 300)) * ${DAY} - (30 + bench.pick(i, 36, 271)) * ${DAY}
             END AS decided,
             CASE WHEN outcome = 'REVOKED' THEN ${anchorSql} - ${HOUR} - (1 + bench.pick(i, 38, 300)) * ${DAY} END AS closed
      FROM (
        SELECT pre.i, 'prd_m' || lpad(pre.i::text, 7, '0') AS product_id, s.region_code, s.province, s.county, s.name AS supplier_name,
               s.households, s.eligible,
               CASE WHEN bench.u(pre.i, 31) < 0.5 THEN 365 ELSE 730 END AS valid_days,
               CASE
                 WHEN s.eligible THEN CASE
                   WHEN bench.u(pre.i, 30) < 0.45 THEN 'VALID' WHEN bench.u(pre.i, 30) < 0.53 THEN 'LAPSED'
                   WHEN bench.u(pre.i, 30) < 0.70 THEN 'REJECTED' WHEN bench.u(pre.i, 30) < 0.97 THEN 'PENDING' ELSE 'REVOKED' END
                 ELSE CASE WHEN bench.u(pre.i, 30) < 17.0 / 44 THEN 'REJECTED' ELSE 'PENDING' END
               END AS outcome
        FROM (SELECT i, ${supplierOf('i', suppliers.length)} AS supplier_idx FROM generate_series(1, ${sizes.products}::bigint) AS i WHERE bench.u(i, 29) < 0.4) AS pre
        JOIN bench.gen_supplier s ON s.idx = pre.supplier_idx
      ) AS o
    ) AS d`);
  // Ids in application order; certificate numbers per (year in China, county) in order of issue.
  await client.query(`
    INSERT INTO certification (id, product_id, status, certificate_number, issued_by, valid_from, valid_until, evidence, version, created_at, updated_at)
    SELECT 'cert_m' || lpad(row_number() OVER (ORDER BY applied, product_id)::text, 7, '0'),
           product_id,
           (CASE outcome WHEN 'VALID' THEN 'APPROVED' WHEN 'LAPSED' THEN 'APPROVED' ELSE outcome END)::"CertificationStatus",
           CASE WHEN outcome IN ('VALID', 'LAPSED', 'REVOKED') THEN
             'FP-' || extract(year FROM decided AT TIME ZONE 'Asia/Shanghai')::int || '-' || region_code || '-'
               || lpad((row_number() OVER (PARTITION BY outcome IN ('VALID', 'LAPSED', 'REVOKED'), extract(year FROM decided AT TIME ZONE 'Asia/Shanghai'), region_code ORDER BY decided, product_id))::text, 6, '0')
           END,
           CASE WHEN outcome IN ('VALID', 'LAPSED', 'REVOKED') THEN province || '乡村振兴局消费帮扶产品认定办公室' END,
           CASE WHEN outcome IN ('VALID', 'LAPSED', 'REVOKED') THEN decided END,
           CASE WHEN outcome IN ('VALID', 'LAPSED', 'REVOKED') THEN decided + valid_days * ${DAY} END,
           county || '乡村振兴局推荐函；' || supplier_name || '带动脱贫户名单（' || households || '户）；产品检验报告。',
           CASE outcome WHEN 'PENDING' THEN 1 WHEN 'REVOKED' THEN 3 ELSE 2 END,
           applied,
           COALESCE(closed, decided, applied)
    FROM bench.gen_certification
    ORDER BY applied, product_id`);
  await client.query(`
    INSERT INTO certification_event (certification_id, action, at, actor, note)
    SELECT c.id, e.action, e.at, e.actor, e.note
    FROM certification c
    JOIN bench.gen_certification g ON g.product_id = c.product_id
    CROSS JOIN LATERAL (VALUES
      (1, 'APPLIED', g.applied, (${applicants})[1 + bench.pick(g.i, 40, 7)], '提交消费帮扶产品认定申请'),
      (2, CASE WHEN g.outcome = 'REJECTED' THEN 'REJECTED' ELSE 'APPROVED' END, g.decided, (${reviewers})[1 + bench.pick(g.i, 41, ${REVIEWERS.length})],
          CASE WHEN g.outcome = 'REJECTED' THEN '原料产地证明不足，不予认定。' ELSE '材料齐全，符合认定条件，予以认定' END),
      (3, 'REVOKED', g.closed, (${reviewers})[1 + bench.pick(g.i, 42, ${REVIEWERS.length})], '带贫协议到期未续签，撤销认定。')
    ) AS e(step, action, at, actor, note)
    WHERE e.at IS NOT NULL
    ORDER BY c.id, e.step`);
  await client.query(`
    INSERT INTO certificate_sequence (year, region_code, last_value)
    SELECT split_part(certificate_number, '-', 2)::int, split_part(certificate_number, '-', 3), max(split_part(certificate_number, '-', 4)::int)
    FROM certification WHERE certificate_number IS NOT NULL
    GROUP BY 1, 2`);
  const { rows: statuses } = await client.query<{ status: string; count: number }>(`
    SELECT CASE WHEN status = 'APPROVED' AND valid_until <= now() THEN 'EXPIRED (lapsed APPROVED)' ELSE status::text END AS status, count(*)::int AS count
    FROM certification GROUP BY 1 ORDER BY 1`);
  const [{ events }] = (await client.query<{ events: number }>(`SELECT count(*)::int AS events FROM certification_event`)).rows as [{ events: number }];
  const [{ ineligible }] = (
    await client.query<{ ineligible: number }>(`
      SELECT count(*)::int AS ineligible FROM generate_series(1, ${sizes.products}::bigint) AS i
      JOIN bench.gen_supplier s ON s.idx = ${supplierOf('i', suppliers.length)} WHERE NOT s.eligible`)
  ).rows as [{ ineligible: number }];
  await client.query(`DROP TABLE bench.gen_certification, bench.gen_supplier`);
  const certifications = Object.fromEntries(statuses.map((row) => [row.status, row.count]));
  return {
    certifications,
    certificationEvents: events,
    validCertificates: certifications.APPROVED ?? 0,
    ineligibleProducts: ineligible,
  };
}
