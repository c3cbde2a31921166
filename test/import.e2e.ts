// Member platform feeds into the running catalog: the import command and the
// upsertListings mutation partners push with, on both stores.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { demoCatalog } from '../demo/demoCatalog';
import { GatewayClient } from '../importer/gatewayClient';
import { importFeed, type ImportSummary } from '../importer/importFeed';
import { useCatalog, type Backend } from './support/catalogHarness';

const BACKENDS = (process.env.TEST_BACKENDS ?? 'pglite,postgres').split(',') as Backend[];
const root = join(__dirname, '..');
const demo = demoCatalog(new Date());
const pearBox = demo.products.find((product) => product.id === 'prd_002')!; // 宁陵酥梨 2.5kg家庭装, GTIN 6973862100024, sup_001

const HEADER = 'platform_sku,title,price,currency,gtin,unit,stock,monthly_sales,url,category,supplier_name,supplier_region_code,description';

/** The feed of the tests, as CSV lines after the header (line 2 onwards). */
const GOOD_ROWS = [
  // By GTIN: another platform's listing of a demo product, whatever its title says.
  `ks-1001,"宁陵酥梨, 家庭装 2.5kg",24.80,CNY,${pearBox.gtin},2.5kg箱,50,12,https://ks.example/1001,FRUIT,宁陵县金顶谢花酥梨种植专业合作社,411423,`,
  // By title: noise, word order and 5斤 = 2.5kg; the supplier written without its county.
  `ks-1002,【顺丰包邮】现摘现发 家庭装 宁陵酥梨 5斤 🍐,25.90,,,5斤箱,30,8,,FRUIT,金顶谢花酥梨种植合作社,411423,"quoted, with a comma
and a newline"`,
  // Same fruit, different pack size: a different product.
  `ks-1003,宁陵酥梨 5kg家庭装,45.00,CNY,,5kg箱,10,3,,FRUIT,宁陵县金顶谢花酥梨种植专业合作社,411423,`,
  // Same fruit, another supplier in the same county: a different product.
  `ks-1004,宁陵酥梨 2.5kg家庭装,23.00,CNY,,2.5kg箱,10,3,,FRUIT,宁陵县张弓镇梨农家庭农场,411423,`,
];
const BAD_ROWS = [
  `ks-2001,,10.00,CNY,,,,,,,宁陵县梨乡食品有限公司,411423,`, // missing title
  `ks-2002,宁陵梨膏 300g,12.345,CNY,,,,,,,宁陵县梨乡食品有限公司,411423,`, // bad price
  `ks-2003,宁陵梨膏 300g,12.30,CNY,6973862200114,,,,,,宁陵县梨乡食品有限公司,411423,`, // wrong GTIN check digit
  `ks-2004,宁陵梨膏 300g,12.30,CNY,,,,,,,宁陵县梨乡食品有限公司,999999,`, // unknown county
];

function csv(rows: string[], bom = true): string {
  return `${bom ? '\uFEFF' : ''}${HEADER}\r\n${rows.join('\r\n')}\r\n`;
}

describe.each(BACKENDS)('listing feeds on %s', (backend) => {
  const catalog = useCatalog({ backend });
  let dir: string;
  let partnerKs: string;
  let certifier: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rgg-feeds-'));
    partnerKs = catalog.token('kuaishou-feed', ['partner'], { platform: 'kuaishou' });
    certifier = catalog.token('certifier-feeds', ['certifier']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(file: string, platform = 'kuaishou', explain = false): Promise<ImportSummary & { output: string; report: string }> {
    const out = new PassThrough();
    let output = '';
    out.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const reportPath = join(dir, `report-${Math.random().toString(36).slice(2)}.csv`);
    const summary = await importFeed({
      file,
      platform,
      client: new GatewayClient(catalog.gatewayUrl, catalog.token(`importer:${platform}`, ['partner'], { platform })),
      explain,
      reportPath,
      out,
      progress: new PassThrough(),
    });
    let report = '';
    try {
      report = readFileSync(reportPath, 'utf8');
    } catch {
      // no rejected rows, no report
    }
    return { ...summary, output, report };
  }

  async function productCount(): Promise<number> {
    const [row] = await catalog.stores.products.sql.query<{ count: number }>('SELECT count(*)::int AS count FROM product');
    return row.count;
  }

  it('registers a platform for certifiers only, once', async () => {
    const register = `mutation($code: ID!, $name: String!) { registerPlatform(code: $code, name: $name) { code name } }`;
    const byPartner = await catalog.query(register, { code: 'kuaishou', name: '快手小店' }, partnerKs);
    expect(byPartner.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await catalog.query(register, { code: 'kuaishou', name: '快手小店' });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await catalog.query(register, { code: 'Kuai Shou', name: '快手小店' }, certifier);
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const ok = await catalog.query<{ registerPlatform: { code: string } }>(register, { code: 'kuaishou', name: '快手小店' }, certifier);
    expect(ok.data?.registerPlatform.code).toBe('kuaishou');
    const again = await catalog.query(register, { code: 'kuaishou', name: '快手' }, certifier);
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('imports a CSV feed (BOM, quoted commas and newlines): links by GTIN and by title, keeps other pack sizes and suppliers apart, reports bad rows by line', async () => {
    const file = join(dir, 'feed.csv');
    writeFileSync(file, csv([...GOOD_ROWS, ...BAD_ROWS]));
    const before = await productCount();
    const result = await run(file, 'kuaishou', true);
    expect(result).toMatchObject({ rowsRead: 8, created: 4, updated: 0, unchanged: 0, newProducts: 2, linkedToExisting: 2, rejected: 4, exitCode: 2 });
    expect(await productCount()).toBe(before + 2);

    const listings = await catalog.query<{ product: { listings: { externalId: string; platform: { code: string } }[] } }>(
      'query($id: ID!) { product(id: $id) { listings { externalId platform { code } } } }',
      { id: pearBox.id },
    );
    const onPearBox = listings.data!.product.listings.filter((listing) => listing.platform.code === 'kuaishou').map((l) => l.externalId);
    expect(onPearBox.sort()).toEqual(['ks-1001', 'ks-1002']);
    expect(result.output).toMatch(/ks-1001: CREATED -> prd_002.*GTIN/);
    expect(result.output).toMatch(/ks-1003: CREATED -> \S+ \(new product\)/);
    // A new product is written with its listing summary (price, sales) at once.
    const summary = await catalog.stores.products.sql.query<Record<string, unknown>>(
      `SELECT min_price::text AS min, max_price::text AS max, price_currency AS currency, total_monthly_sales AS sales
       FROM product WHERE id = (SELECT product_id FROM listing WHERE platform_code = 'kuaishou' AND external_id = 'ks-1003')`,
    );
    expect(summary).toEqual([{ min: '45.00', max: '45.00', currency: 'CNY', sales: 3 }]);

    // The report names each bad row's line (the quoted newline makes row 3 span lines 3-4) and field.
    const report = result.report.trim().split('\n');
    expect(report[0]).toBe('line,platform_sku,field,reason');
    const byLine = (line: number) => report.find((entry) => entry.startsWith(`${line},`)) ?? '';
    expect(byLine(7)).toMatch(/^7,ks-2001,title,/);
    expect(byLine(8)).toMatch(/^8,ks-2002,price,/);
    expect(byLine(9)).toMatch(/^9,ks-2003,gtin,/);
    expect(byLine(10)).toMatch(/^10,ks-2004,supplier_region_code,/);
  });

  it('imports the same file again without changing anything', async () => {
    const file = join(dir, 'feed.csv');
    const before = await catalog.stores.products.sql.query<{ count: number; latest: string }>(
      "SELECT count(*)::int AS count, max(updated_at)::text AS latest FROM listing WHERE platform_code = 'kuaishou'",
    );
    // Every row version (xmin changes with any UPDATE, even one that sets the same values).
    const versions = () =>
      catalog.stores.products.sql.query<{ id: string; xmin: string }>(
        'SELECT id, xmin::text AS xmin FROM product UNION ALL SELECT id, xmin::text FROM listing ORDER BY id',
      );
    const versionsBefore = await versions();
    const statements = catalog.stores.products.statements.value;
    const supplierStatements = catalog.stores.suppliers.statements.value;
    const result = await run(file);
    expect(result).toMatchObject({ rowsRead: 8, created: 0, updated: 0, unchanged: 4, newProducts: 0, rejected: 4 });
    // The products subgraph remembers the suppliers it has resolved: only the
    // unknown county (a problem, never remembered) is asked again, and it is
    // refused before any supplier is read.
    expect(catalog.stores.suppliers.statements.value - supplierStatements).toBeLessThanOrEqual(1);
    const after = await catalog.stores.products.sql.query<{ count: number; latest: string }>(
      "SELECT count(*)::int AS count, max(updated_at)::text AS latest FROM listing WHERE platform_code = 'kuaishou'",
    );
    expect(after).toEqual(before);
    expect(await versions()).toEqual(versionsBefore);
    expect(catalog.stores.products.statements.value).toBeGreaterThan(statements);
  });

  it('imports JSON Lines with the same rules, and a changed price shows on the next request', async () => {
    const file = join(dir, 'feed.jsonl');
    const rows = [
      {
        platform_sku: 'ks-1001',
        title: '宁陵酥梨, 家庭装 2.5kg',
        price: '19.90',
        gtin: pearBox.gtin,
        unit: '2.5kg箱',
        supplier_name: '宁陵县金顶谢花酥梨种植专业合作社',
        supplier_region_code: '411423',
      },
      {
        platform_sku: 'ks-1003',
        title: '宁陵酥梨 5kg家庭装',
        price: '42.00',
        unit: '5kg箱',
        stock: 0,
        supplier_name: '宁陵县金顶谢花酥梨种植专业合作社',
        supplier_region_code: '411423',
      },
      { platform_sku: 'ks-3001', title: '宁陵梨膏糖 200g', price: 9.5, supplier_name: '宁陵县梨乡食品有限公司', supplier_region_code: '411423', stock: 5 },
    ];
    writeFileSync(file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n{not json}\n`);
    const result = await run(file);
    expect(result).toMatchObject({ rowsRead: 4, created: 1, updated: 2, rejected: 1, exitCode: 2 });
    expect(result.report).toMatch(/^4,,record,/m);
    const updated = await catalog.stores.products.sql.query<{ external_id: string; price: string; stock: number | null }>(
      "SELECT external_id, price::text AS price, stock FROM listing WHERE platform_code = 'kuaishou' AND external_id IN ('ks-1001', 'ks-1003') ORDER BY external_id",
    );
    expect(updated).toEqual([
      { external_id: 'ks-1001', price: '19.90', stock: null },
      { external_id: 'ks-1003', price: '42.00', stock: 0 },
    ]);
    const detail = await catalog.query<{ product: { priceRange: { min: { amount: string } } } }>(
      'query($id: ID!) { product(id: $id) { priceRange { min { amount } } } }',
      { id: pearBox.id },
    );
    expect(detail.data!.product.priceRange.min.amount).toBe('19.90');
  });

  it('lets a partner push listings for its own platform only', async () => {
    const upsert = `mutation($platform: ID!, $listings: [ListingInput!]!) { upsertListings(platform: $platform, listings: $listings) { created rejected results { status problems { field reason } } } }`;
    const listing = {
      platformSku: 'jd-push-1',
      title: '宁陵秋梨膏 300g',
      price: '29.90',
      supplierName: '宁陵县梨乡食品有限公司',
      supplierRegionCode: '411423',
    };
    const jdPartner = catalog.token('jd-shop', ['partner'], { platform: 'jd' });
    const before = await catalog.stores.products.sql.query<{ count: number }>("SELECT count(*)::int AS count FROM listing WHERE platform_code = 'pdd'");
    const foreign = await catalog.query(upsert, { platform: 'pdd', listings: [listing] }, jdPartner);
    expect(foreign.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await catalog.stores.products.sql.query("SELECT count(*)::int AS count FROM listing WHERE platform_code = 'pdd'")).toEqual(before);
    const asCertifier = await catalog.query(upsert, { platform: 'jd', listings: [listing] }, certifier);
    expect(asCertifier.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const anonymous = await catalog.query(upsert, { platform: 'jd', listings: [listing] });
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const own = await catalog.query<{ upsertListings: { created: number; rejected: number; results: { status: string; problems: { field: string }[] }[] } }>(
      upsert,
      { platform: 'jd', listings: [listing, { ...listing, platformSku: 'jd-push-2', price: 'free' }] },
      jdPartner,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.upsertListings).toMatchObject({ created: 1, rejected: 1 });
    expect(own.data!.upsertListings.results[1]).toMatchObject({ status: 'REJECTED', problems: [{ field: 'price' }] });

    // The listing and product of each result are read back only when selected, in one statement each for the batch.
    const withRows = `mutation($platform: ID!, $listings: [ListingInput!]!) { upsertListings(platform: $platform, listings: $listings) {
      results { status productCreated listing { externalId price { amount } } product { id name } } } }`;
    const batch = (size: number, price: string) =>
      Array.from({ length: size }, (_, i) => ({ ...listing, platformSku: `jd-rows-${i}`, title: `宁陵秋梨膏 ${100 + i * 10}g`, price }));
    const statementsFor = async (listings: unknown[], query = withRows) => {
      const start = catalog.stores.products.statements.value;
      const answer = await catalog.query<{
        upsertListings: { results: { status: string; listing: { externalId: string; price: { amount: string } }; product: { id: string; name: string } }[] };
      }>(query, { platform: 'jd', listings }, jdPartner);
      expect(answer.errors).toBeUndefined();
      return { answer: answer.data!.upsertListings, statements: catalog.stores.products.statements.value - start };
    };
    const first = await statementsFor(batch(3, '10.00'));
    expect(first.answer.results.map((r) => [r.status, r.listing.externalId, r.listing.price.amount])).toEqual([
      ['CREATED', 'jd-rows-0', '10.00'],
      ['CREATED', 'jd-rows-1', '10.00'],
      ['CREATED', 'jd-rows-2', '10.00'],
    ]);
    expect(first.answer.results.every((r) => r.product.id.startsWith('prd_') && r.product.name.includes('秋梨膏'))).toBe(true);
    // Both batches update and create: the statement count does not grow with the batch.
    const small = await statementsFor(batch(4, '11.00'));
    expect(small.answer.results.map((r) => r.status)).toEqual(['UPDATED', 'UPDATED', 'UPDATED', 'CREATED']);
    const large = await statementsFor(batch(40, '12.00'));
    expect(large.answer.results.filter((r) => r.status === 'UPDATED')).toHaveLength(4);
    expect(large.answer.results.slice(0, 4).map((r) => r.listing.price.amount)).toEqual(['12.00', '12.00', '12.00', '12.00']);
    expect(large.statements).toBe(small.statements);
    const countsOnly = await statementsFor(
      batch(40, '13.00'),
      `mutation($platform: ID!, $listings: [ListingInput!]!) { upsertListings(platform: $platform, listings: $listings) { updated } }`,
    );
    // No read-back (2); nothing to decide: no component read, kept-apart read, product and listing inserts, moves,
    // deletes, GTIN learning, version bump, suggestion delete and insert (10).
    expect(countsOnly.statements).toBe(large.statements - 2 - 10);
    const tooMany = await catalog.query(
      upsert,
      { platform: 'jd', listings: Array.from({ length: 1001 }, (_, i) => ({ ...listing, platformSku: `x${i}` })) },
      jdPartner,
    );
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('ends with exit status 0 when every row was imported, 2 when some were rejected, 1 when nothing could be read', async () => {
    const cli = (args: string[]) =>
      promisify(execFile)(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'import.ts'), '--gateway', catalog.gatewayUrl, ...args], {
        cwd: dir,
        env: { ...process.env, NODE_OPTIONS: '' },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout + err.stderr }),
      );
    const good = join(dir, 'good.csv');
    writeFileSync(good, csv([GOOD_ROWS[2].replace('ks-1003', 'ks-4001')], false));
    expect((await cli(['--platform', 'kuaishou', good])).code).toBe(0);
    const mixed = join(dir, 'mixed.csv');
    writeFileSync(mixed, csv([GOOD_ROWS[3].replace('ks-1004', 'ks-4002'), BAD_ROWS[1]]));
    const partly = await cli(['--platform', 'kuaishou', mixed]);
    expect(partly.code).toBe(2);
    expect(partly.stdout).toMatch(/rejected rows report:\s+\S+\.csv/);
    expect((await cli(['--platform', 'kuaishou', join(dir, 'missing.csv')])).code).toBe(1);
    const unknownPlatform = await cli(['--platform', 'nosuch', good]);
    expect(unknownPlatform.code).toBe(1);
    expect(unknownPlatform.stdout).toMatch(/unknown platform/);
  }, 120_000);
});
