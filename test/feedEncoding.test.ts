// Feeds saved by Excel on Chinese Windows are GBK (GB18030) text: they are
// read as such, and the import summary says which encoding was read. The GBK
// fixtures are encoded here from UTF-8 strings, so the file holds no bytes an
// editor could mangle.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { FeedUnreadableError, openFeed, readFeed, type FeedFormat, type FeedRecord } from '../feed';
import type { GatewayClient } from '../importer/gatewayClient';
import { importFeed } from '../importer/importFeed';

const HEADER = 'platform_sku,title,price,unit,supplier_name,supplier_region_code';
const ROWS = [
  'JD-1,宁陵金顶谢花酥梨 5kg礼盒装,49.90,5kg箱,宁陵县金顶谢花酥梨种植专业合作社,411423',
  'JD-2,"宁陵秋梨膏 300g（川贝罗汉果）",45.00,300g瓶,宁陵县梨乡食品有限公司,411423',
  'JD-3,寿县正阳关黑豆腐乳 鑫·臻品,19.90,瓶,寿县鑫垚豆制品厂,341521',
];
const UTF8_CSV = `${HEADER}\n${ROWS.join('\n')}\n`;

async function read(bytes: Buffer, format: FeedFormat, chunkBytes: number): Promise<{ records: FeedRecord[]; encoding: string }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  const feed = readFeed(Readable.from(chunks), format);
  const records: FeedRecord[] = [];
  for await (const record of feed) records.push(record);
  return { records, encoding: feed.encoding };
}

describe('feed encodings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'feed-encoding-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  test('a GBK CSV reads as the same records as its UTF-8 original, however it is cut into chunks', async () => {
    const gbk = iconv.encode(UTF8_CSV, 'gbk');
    expect(gbk.equals(Buffer.from(UTF8_CSV))).toBe(false);
    const utf8 = await read(Buffer.from(UTF8_CSV), 'csv', 1 << 16);
    expect(utf8.encoding).toBe('UTF-8');
    expect(utf8.records).toHaveLength(3);
    expect(utf8.records[1]).toEqual({
      line: 3,
      raw: expect.objectContaining({ title: '宁陵秋梨膏 300g（川贝罗汉果）', supplier_name: '宁陵县梨乡食品有限公司' }),
    });
    for (const chunkBytes of [1 << 16, 1, 7, 1023]) {
      const decoded = await read(gbk, 'csv', chunkBytes);
      expect(decoded.encoding).toBe('GB18030');
      expect(decoded.records).toEqual(utf8.records);
    }
  });

  test('characters beyond GBK (GB18030 four-byte sequences) and JSON Lines feeds', async () => {
    const jsonl = `${JSON.stringify({ platform_sku: 'PDD-1', title: '𠮷野家 酥梨 5斤', price: '29.90', supplier_name: '宁陵县梨乡食品有限公司', supplier_region_code: '411423' })}\n`;
    const gb18030 = iconv.encode(jsonl, 'gb18030');
    for (const chunkBytes of [1 << 16, 1, 5]) {
      const decoded = await read(gb18030, 'jsonl', chunkBytes);
      expect(decoded.encoding).toBe('GB18030');
      expect(decoded.records).toEqual([{ line: 1, raw: expect.objectContaining({ title: '𠮷野家 酥梨 5斤' }) }]);
    }
  });

  test('a GBK header row (a Chinese column name) is read too; an ASCII file reads as UTF-8', async () => {
    const gbk = iconv.encode(`备注,${HEADER}\n无,${ROWS[0]}\n`, 'gbk');
    const feed = await openFeed(file('header.csv', gbk));
    const records: FeedRecord[] = [];
    for await (const record of feed.records) records.push(record);
    expect(feed.encoding).toBe('GB18030');
    expect(records).toEqual([{ line: 2, raw: expect.objectContaining({ title: '宁陵金顶谢花酥梨 5kg礼盒装' }) }]);
    const ascii = await read(Buffer.from(`${HEADER}\nJD-9,pears,1.00,box,coop,411423\n`), 'csv', 3);
    expect(ascii.encoding).toBe('UTF-8');
  });

  test('bytes that are neither UTF-8 nor GB18030 at the start of a file still make it unreadable', async () => {
    // 0xFF never starts a GB18030 character, and is never UTF-8.
    const garbage = Buffer.concat([Buffer.from(`${HEADER}\nJD-1,`), Buffer.from([0xff, 0xfe, 0xff, 0x41]), Buffer.from(',1,box,s,411423\n')]);
    const error = await openFeed(file('garbage.csv', garbage)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FeedUnreadableError);
    expect((error as Error).message).toMatch(/not start as UTF-8 or GB18030/);
  });

  test('the import summary says which encoding was read', async () => {
    const path = file('jd.csv', iconv.encode(UTF8_CSV, 'gbk'));
    const sent: { title: string; supplierName: string }[] = [];
    const client = {
      request: async (query: string, variables: { listings?: { title: string; supplierName: string }[] }) => {
        if (/query Platforms/.test(query)) return { platforms: [{ code: 'jd', name: '京东' }] };
        const listings = variables.listings ?? [];
        sent.push(...listings);
        return {
          upsertListings: {
            created: listings.length,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            newProducts: listings.length,
            linkedToExisting: 0,
            results: listings.map((_, index) => ({ index, status: 'CREATED', productCreated: true, match: null, product: null, problems: [] })),
          },
        };
      },
    } as unknown as GatewayClient;
    let out = '';
    const sink = (write: (text: string) => void) => ({ write: (chunk: string) => (write(chunk), true) }) as unknown as NodeJS.WritableStream;
    const summary = await importFeed({
      file: path,
      platform: 'jd',
      client,
      explain: false,
      reportPath: join(dir, 'report.csv'),
      out: sink((text) => (out += text)),
      progress: sink(() => undefined),
    });
    expect(summary).toMatchObject({ rowsRead: 3, created: 3, rejected: 0, encoding: 'GB18030', exitCode: 0 });
    expect(sent.map((listing) => listing.supplierName)).toEqual(['宁陵县金顶谢花酥梨种植专业合作社', '宁陵县梨乡食品有限公司', '寿县鑫垚豆制品厂']);
    expect(out).toMatch(/^encoding read: +GB18030 \(GBK\)$/m);
  });
});
