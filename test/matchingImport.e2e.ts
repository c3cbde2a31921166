// The labelled halves scored on the production path: every feed imported with
// `npm run import`'s own code through the gateway into the products store
// (PGlite), the partition read back from the listing table. A regression
// anywhere between the feed reader and the store's writes fails here, not
// only one in the engine.
import { Writable } from 'node:stream';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { GatewayClient } from '../importer/gatewayClient';
import { importFeed } from '../importer/importFeed';
import { readLabelledSet, score, type Assigned } from '../scripts/evaluateMatching';
import { LABELLED_SETS } from './support/labelledSets';
import type { ProductsDb } from '../subgraphs/products/store';
import { useCatalog, type Catalog } from './support/catalogHarness';

const silent = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

async function importSet(catalog: Catalog, dir: string, reports: string): Promise<Assigned[]> {
  const staff = new GatewayClient(catalog.gatewayUrl, catalog.token('platform-office', ['certifier']));
  const files = readdirSync(dir)
    .filter((name) => /\.(csv|jsonl)$/u.test(name))
    .sort();
  for (const file of files) {
    const platform = basename(file, extname(file));
    await staff
      .request('mutation($code: ID!, $name: String!) { registerPlatform(code: $code, name: $name) { code } }', { code: platform, name: platform })
      .catch(() => undefined);
    const summary = await importFeed({
      file: join(dir, file),
      platform,
      client: new GatewayClient(catalog.gatewayUrl, catalog.token(`${platform}-feed`, ['partner'], { platform })),
      explain: false,
      reportPath: join(reports, `${platform}.report.csv`),
      out: silent(),
      progress: silent(),
    });
    expect(summary.rejected).toBe(0);
  }
  const labelled = [...(await readLabelledSet(dir)).values()].flat();
  const db = catalog.stores.products.client as ProductsDb;
  const rows = await db.$queryRaw<{ platform: string; sku: string; product: string }[]>`
    SELECT platform_code AS platform, external_id AS sku, product_id AS product FROM listing`;
  const productOf = new Map(rows.map((row) => [`${row.platform}:${row.sku}`, row.product]));
  return labelled.map((row) => ({ row, productId: productOf.get(`${row.platform}:${row.platformSku}`)!, explanation: '' }));
}

describe.each(LABELLED_SETS)('the %s set imported into the products store', (_name, dir, floor) => {
  const catalog = useCatalog({ backend: 'pglite', seed: false });
  let reports: string;
  beforeAll(() => {
    reports = mkdtempSync(join(tmpdir(), 'rgg-matching-'));
  });
  afterAll(() => rmSync(reports, { recursive: true, force: true }));

  test('keeps the precision and F1 floors', async () => {
    const assigned = await importSet(catalog, dir, reports);
    expect(assigned.every((entry) => entry.productId !== undefined)).toBe(true);
    const result = score(assigned);
    expect(result.precision).toBeGreaterThanOrEqual(floor.precision);
    expect(result.f1).toBeGreaterThanOrEqual(floor.f1);
  }, 300_000);
});
