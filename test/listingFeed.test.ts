import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  detectFormat,
  FEED_CATEGORIES,
  FEED_FIELDS,
  FeedUnreadableError,
  gtinCheckDigit,
  gtinKey,
  isRegionCodeFormat,
  isValidGtin,
  MAX_RECORD_CHARS,
  openFeed,
  readFeed,
  validateFeedRow,
  type FeedFormat,
  type FeedRecord,
  type RowProblem,
} from '../feed';
import { badRowKind, csvLine, generateFeedRows, jsonLine } from '../scripts/generateFeed';

const GOOD = {
  platform_sku: 'JD-100123',
  title: '宁陵酥梨 5斤装 现摘现发',
  price: '39.90',
  supplier_name: '宁陵县金顶谢花酥梨种植专业合作社',
  supplier_region_code: '411423',
};

function problemsOf(raw: Record<string, unknown>): RowProblem[] {
  return validateFeedRow(raw).problems;
}

/** Problems of GOOD with one field replaced: exactly one problem is expected, on that field. */
function onlyProblem(field: string, value: unknown): RowProblem {
  const problems = problemsOf({ ...GOOD, [field]: value });
  expect(problems).toHaveLength(1);
  expect(problems[0].field).toBe(field);
  return problems[0];
}

function listingWith(field: string, value: unknown) {
  const result = validateFeedRow({ ...GOOD, [field]: value });
  expect(result.problems).toEqual([]);
  if (!result.listing) throw new Error('row rejected');
  return result.listing;
}

describe('validateFeedRow', () => {
  test('a minimal row gets the defaults: CNY and null optional fields', () => {
    expect(validateFeedRow(GOOD)).toEqual({
      listing: {
        platformSku: 'JD-100123',
        title: '宁陵酥梨 5斤装 现摘现发',
        price: '39.90',
        currency: 'CNY',
        gtin: null,
        unit: null,
        stock: null,
        monthlySales: null,
        url: null,
        category: null,
        supplierName: '宁陵县金顶谢花酥梨种植专业合作社',
        supplierRegionCode: '411423',
        description: null,
      },
      problems: [],
    });
  });

  test('a full row is trimmed and normalized; unknown keys are ignored', () => {
    const result = validateFeedRow({
      platform_sku: '  JD-1 ',
      title: '\u3000砀山酥梨 10斤 ',
      price: ' 039.9 ',
      currency: ' cny ',
      gtin: ' 6901234567892 ',
      unit: ' 5kg box ',
      stock: ' 12 ',
      monthly_sales: 30,
      url: ' https://item.jd.com/1.html ',
      category: ' fruit ',
      supplier_name: ' 砀山县良梨镇果蔬专业合作社 ',
      supplier_region_code: ' 341321 ',
      description: ' 产地直发\n坏果包赔 ',
      shop_rating: 'not a feed field',
    });
    expect(result.listing).toEqual({
      platformSku: 'JD-1',
      title: '砀山酥梨 10斤',
      price: '39.90',
      currency: 'CNY',
      gtin: '6901234567892',
      unit: '5kg box',
      stock: 12,
      monthlySales: 30,
      url: 'https://item.jd.com/1.html',
      category: 'FRUIT',
      supplierName: '砀山县良梨镇果蔬专业合作社',
      supplierRegionCode: '341321',
      description: '产地直发\n坏果包赔',
    });
  });

  test('empty and blank optional values count as absent', () => {
    const blank = Object.fromEntries(
      ['currency', 'gtin', 'unit', 'stock', 'monthly_sales', 'url', 'category', 'description'].map((field, i) => [field, i % 2 ? '' : '  ']),
    );
    const result = validateFeedRow({ ...GOOD, ...blank });
    expect(result.listing).toMatchObject({
      currency: 'CNY',
      gtin: null,
      unit: null,
      stock: null,
      monthlySales: null,
      url: null,
      category: null,
      description: null,
    });
    expect(validateFeedRow({ ...GOOD, gtin: null, stock: null }).problems).toEqual([]);
  });

  test.each(['platform_sku', 'title', 'price', 'supplier_name', 'supplier_region_code'])('%s is required (missing, empty or blank)', (field) => {
    for (const value of [undefined, '', '   ', null]) {
      const raw: Record<string, unknown> = { ...GOOD, [field]: value };
      if (value === undefined) delete raw[field];
      expect(onlyProblem(field, raw[field]).reason).toMatch(/required/);
    }
  });

  test('every problem of a row is reported, each naming its field, in feed field order', () => {
    const result = validateFeedRow({
      title: '',
      price: '39.999',
      currency: 'RMB1',
      gtin: '6901234567891',
      stock: '1.5',
      monthly_sales: '-3',
      url: 'http://item.jd.com/1.html',
      category: 'FRUITS',
      supplier_name: '合作社',
      supplier_region_code: '41142',
    });
    expect(result.listing).toBeNull();
    expect(result.problems.map((problem) => problem.field)).toEqual([
      'platform_sku',
      'title',
      'price',
      'currency',
      'gtin',
      'stock',
      'monthly_sales',
      'url',
      'category',
      'supplier_region_code',
    ]);
    // Reasons go into an operator's report on their own: whole sentences.
    for (const { reason } of result.problems) expect(reason).toMatch(/^[A-Z].*\.$/s);
  });

  describe('price', () => {
    test.each([
      ['39.9', '39.90'],
      ['39.90', '39.90'],
      ['39', '39.00'],
      ['039.50', '39.50'],
      ['0', '0.00'],
      ['0.05', '0.05'],
      ['9999999999.99', '9999999999.99'],
      [39.9, '39.90'],
      [12, '12.00'],
      [0.1, '0.10'],
    ])('accepts %p as %s', (value, normalized) => {
      expect(listingWith('price', value).price).toBe(normalized);
    });

    test.each([
      ['39.999', /2 decimal places/],
      [39.999, /2 decimal places/],
      [0.1 + 0.2, /2 decimal places/],
      ['abc', /decimal amount/],
      ['-1', /negative/],
      [-1, /negative/],
      ['1e3', /exponent/],
      ['¥39.90', /currency sign/],
      ['1,299.00', /thousands separator/],
      ['39.', /decimal amount/],
      ['.5', /decimal amount/],
      ['10000000000.00', /Too large/],
      [true, /decimal amount/],
    ])('rejects %p', (value, reason) => {
      expect(onlyProblem('price', value).reason).toMatch(reason);
    });
  });

  test('currency: ISO 4217 format, uppercased, CNY by default', () => {
    expect(listingWith('currency', 'usd').currency).toBe('USD');
    for (const bad of ['CN', 'CNYY', 'C1Y', '人民币', 156]) expect(onlyProblem('currency', bad).reason).toMatch(/ISO 4217/);
  });

  describe('gtin', () => {
    test('GS1 check digits of GTIN-8, -12, -13 and -14', () => {
      expect(gtinCheckDigit('9638507')).toBe(4);
      expect(gtinCheckDigit('03600029145')).toBe(2);
      expect(gtinCheckDigit('400638133393')).toBe(1);
      expect(gtinCheckDigit('0001234560001')).toBe(2);
      for (const gtin of ['96385074', '036000291452', '4006381333931', '00012345600012', '6901234567892']) {
        expect(isValidGtin(gtin)).toBe(true);
      }
      for (const gtin of ['96385075', '6901234567891', '690123456789', '69012345678921', '69O1234567892', '']) {
        expect(isValidGtin(gtin)).toBe(false);
      }
      expect(() => gtinCheckDigit('12a')).toThrow(RangeError);
    });

    test('gtinKey makes GTIN-12, -13 and -14 of one item equal', () => {
      expect(gtinKey('036000291452')).toBe('00036000291452');
      expect(gtinKey('0036000291452')).toBe(gtinKey('036000291452'));
      expect(gtinKey('00036000291452')).toBe(gtinKey('036000291452'));
      expect(gtinKey('96385074')).toBe('00000096385074');
    });

    test('valid GTINs are kept as the digits sent', () => {
      expect(listingWith('gtin', '036000291452').gtin).toBe('036000291452');
      expect(listingWith('gtin', '00036000291452').gtin).toBe('00036000291452');
      expect(listingWith('gtin', 6901234567892).gtin).toBe('6901234567892');
    });

    test('a wrong check digit is a row error that names the expected digit', () => {
      expect(onlyProblem('gtin', '6901234567891').reason).toMatch(/check digit.*\b2\b/);
    });

    test.each([
      ['6901-234567892', /digits only/],
      ['690123456789X', /digits only/],
      ['69012345678', /8, 12, 13 or 14 digits, but has 11/],
      [36000291452, /leading zeros/],
      [1.5, /string of 8, 12, 13 or 14 digits/],
    ])('rejects %p', (value, reason) => {
      expect(onlyProblem('gtin', value).reason).toMatch(reason);
    });
  });

  test.each(['stock', 'monthly_sales'])('%s is an optional non-negative whole number', (field) => {
    const key = field === 'stock' ? 'stock' : 'monthlySales';
    expect(listingWith(field, '12')[key]).toBe(12);
    expect(listingWith(field, 12)[key]).toBe(12);
    expect(listingWith(field, '0')[key]).toBe(0);
    expect(listingWith(field, '2147483647')[key]).toBe(2147483647);
    expect(onlyProblem(field, '1.5').reason).toMatch(/fraction/);
    expect(onlyProblem(field, 1.5).reason).toMatch(/fraction/);
    expect(onlyProblem(field, '-3').reason).toMatch(/negative/);
    expect(onlyProblem(field, -3).reason).toMatch(/negative/);
    expect(onlyProblem(field, 'many').reason).toMatch(/whole number/);
    expect(onlyProblem(field, '2147483648').reason).toMatch(/Too large/);
    expect(onlyProblem(field, '99999999999999999999').reason).toMatch(/Too large/);
    expect(onlyProblem(field, false).reason).toMatch(/whole number/);
  });

  test('url must be an https link', () => {
    expect(listingWith('url', 'https://item.jd.com/100123.html?from=832').url).toBe('https://item.jd.com/100123.html?from=832');
    expect(onlyProblem('url', 'http://item.jd.com/1.html').reason).toMatch(/https/);
    expect(onlyProblem('url', 'ftp://item.jd.com/1').reason).toMatch(/https/);
    expect(onlyProblem('url', 'item.jd.com/1.html').reason).toMatch(/https/);
    expect(onlyProblem('url', 'https://').reason).toMatch(/https/);
    expect(onlyProblem('url', `https://item.jd.com/${'x'.repeat(2100)}`).reason).toMatch(/Too long/);
  });

  test('category is one of the feed categories, case-insensitive', () => {
    for (const category of FEED_CATEGORIES) expect(listingWith('category', category.toLowerCase()).category).toBe(category);
    expect(listingWith('category', 'Meat_Poultry').category).toBe('MEAT_POULTRY');
    expect(onlyProblem('category', 'FRUITS').reason).toMatch(/FRUIT, VEGETABLE/);
    expect(onlyProblem('category', '水果').reason).toMatch(/one of/);
  });

  test('supplier_region_code must be six digits (existence is checked elsewhere)', () => {
    expect(isRegionCodeFormat('411423')).toBe(true);
    for (const code of ['41142', '4114230', '41142a', '', ' 411423']) expect(isRegionCodeFormat(code)).toBe(false);
    expect(listingWith('supplier_region_code', 621226).supplierRegionCode).toBe('621226');
    expect(listingWith('supplier_region_code', '999999').supplierRegionCode).toBe('999999');
    for (const code of ['41142', '4114230', '宁陵县', '41-14-23']) {
      expect(onlyProblem('supplier_region_code', code).reason).toMatch(/six-digit/);
    }
  });

  test.each([
    ['platform_sku', 100],
    ['title', 300],
    ['unit', 50],
    ['supplier_name', 200],
    ['description', 5000],
  ])('%s is limited to %d characters, counted as code points', (field, max) => {
    expect(validateFeedRow({ ...GOOD, [field]: '梨'.repeat(max) }).problems).toEqual([]);
    // Emoji are two UTF-16 units each but one character for the shopper.
    expect(validateFeedRow({ ...GOOD, [field]: '🍐'.repeat(max) }).problems).toEqual([]);
    expect(onlyProblem(field, '梨'.repeat(max + 1)).reason).toMatch(new RegExp(`at most ${max} characters`));
  });

  test('text fields must be text without control characters', () => {
    expect(onlyProblem('title', '酥梨\u0000').reason).toMatch(/control characters/);
    expect(onlyProblem('supplier_name', true).reason).toMatch(/text/);
    expect(listingWith('platform_sku', 100123).platformSku).toBe('100123');
    expect(listingWith('description', '第一行\n\t第二行').description).toBe('第一行\n\t第二行');
  });
});

// ---------------------------------------------------------------------------

const HEADER = 'platform_sku,title,price,supplier_name,supplier_region_code';

/** Feeds `text` to readFeed in chunks of `chunkBytes`, so records, quotes and UTF-8 sequences straddle chunk boundaries. */
async function read(text: string | Buffer, format: FeedFormat, chunkBytes = 1 << 16): Promise<FeedRecord[]> {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkBytes) chunks.push(bytes.subarray(i, i + chunkBytes));
  const records: FeedRecord[] = [];
  for await (const record of readFeed(Readable.from(chunks), format)) records.push(record);
  return records;
}

/** The same records whatever the chunking: whole, 1 byte at a time, and an odd size. */
async function readAllWays(text: string, format: FeedFormat): Promise<FeedRecord[]> {
  const whole = await read(text, format);
  expect(await read(text, format, 1)).toEqual(whole);
  expect(await read(text, format, 7)).toEqual(whole);
  return whole;
}

describe('readFeed: CSV', () => {
  test('a leading BOM is stripped from the first column name', async () => {
    const records = await readAllWays(`\uFEFF${HEADER}\nJD-1,酥梨,39.90,合作社,411423\n`, 'csv');
    expect(records).toEqual([
      { line: 2, raw: { platform_sku: 'JD-1', title: '酥梨', price: '39.90', supplier_name: '合作社', supplier_region_code: '411423' } },
    ]);
  });

  test('quoted fields hold commas, doubled quotes and newlines; line numbers count those newlines', async () => {
    const csv = [
      HEADER,
      'JD-1,"宁陵酥梨, 5斤装",39.90,合作社,411423',
      'JD-2,"12寸""大果""",19.90,合作社,411423',
      'JD-3,"第一行',
      '第二行',
      '第三行",29.90,合作社,411423',
      'JD-4,酥梨,9.90,"合作社',
      '",411423',
      'JD-5,酥梨,9.90,合作社,411423',
    ].join('\n');
    const records = await readAllWays(csv, 'csv');
    expect(records.map((record) => record.line)).toEqual([2, 3, 4, 7, 9]);
    expect(records.map((record) => ('raw' in record ? record.raw.title : record.error))).toEqual([
      '宁陵酥梨, 5斤装',
      '12寸"大果"',
      '第一行\n第二行\n第三行',
      '酥梨',
      '酥梨',
    ]);
    expect(records[3]).toMatchObject({ raw: { supplier_name: '合作社\n' } });
  });

  test('CRLF line ends, also inside quoted fields and right after a closing quote', async () => {
    const csv = `${HEADER}\r\nJD-1,"a\r\nb",1,s,411423\r\nJD-2,t,2,"s",411423\r\n\r\nJD-3,t,3,s,"411423"\r\n`;
    const records = await readAllWays(csv, 'csv');
    expect(records).toEqual([
      { line: 2, raw: { platform_sku: 'JD-1', title: 'a\r\nb', price: '1', supplier_name: 's', supplier_region_code: '411423' } },
      { line: 4, raw: { platform_sku: 'JD-2', title: 't', price: '2', supplier_name: 's', supplier_region_code: '411423' } },
      { line: 6, raw: { platform_sku: 'JD-3', title: 't', price: '3', supplier_name: 's', supplier_region_code: '411423' } },
    ]);
  });

  test('column order is free, header names are trimmed, unknown and unnamed columns are dropped', async () => {
    const csv = ' supplier_region_code ,shop_rating,price,title , ,platform_sku,supplier_name\n411423,4.9,39.90,酥梨,x,JD-1,合作社\n';
    const [record] = await readAllWays(csv, 'csv');
    expect(record).toEqual({
      line: 2,
      raw: { supplier_region_code: '411423', shop_rating: '4.9', price: '39.90', title: '酥梨', platform_sku: 'JD-1', supplier_name: '合作社' },
    });
    if (!('raw' in record)) throw new Error('expected a row');
    expect(validateFeedRow(record.raw).problems).toEqual([]);
  });

  test('a record with a different number of fields than the header is a record error with its line', async () => {
    const csv = `${HEADER}\nJD-1,t,1,s,411423\nJD-2,"t, 2",2,s\nJD-3,t,3,s,411423,extra\nJD-4,t,4,s,411423\n`;
    const records = await readAllWays(csv, 'csv');
    expect(records.map((record) => [record.line, 'error' in record])).toEqual([
      [2, false],
      [3, true],
      [4, true],
      [5, false],
    ]);
    expect(records[1]).toMatchObject({ error: expect.stringMatching(/4 fields, but the header has 5 columns/) });
  });

  test('blank lines, whitespace-only lines and rows of bare commas are skipped, before and after the header', async () => {
    const csv = `\n\n${HEADER}\n\n   \nJD-1,t,1,s,411423\n,,,,\n\nJD-2,t,2,s,411423`;
    const records = await readAllWays(csv, 'csv');
    expect(records.map((record) => record.line)).toEqual([6, 9]);
  });

  test('an unbalanced quote costs its own line only', async () => {
    const summary = (records: FeedRecord[]) => records.map((record) => [record.line, 'error' in record ? record.error.slice(0, 20) : record.raw.platform_sku]);
    const neverClosed = `${HEADER}\nJD-1,"t,1,s,411423\nJD-2,t,2,s,411423\nJD-3,t,3,s,411423\n`;
    expect(summary(await readAllWays(neverClosed, 'csv'))).toEqual([
      [2, 'A quoted field is ne'],
      [3, 'JD-2'],
      [4, 'JD-3'],
    ]);
    // Here the stray quote pairs with the opening quote two lines down.
    const closedLater = `${HEADER}\nJD-1,"t,1,s,411423\nJD-2,t,2,s,411423\nJD-3,"t"x,3,s,411423\nJD-4,t,4,s,411423\n`;
    expect(summary(await readAllWays(closedLater, 'csv'))).toEqual([
      [2, 'Text follows a closi'],
      [3, 'JD-2'],
      [4, 'Text follows a closi'],
      [5, 'JD-4'],
    ]);
  });

  test('an overlong record is skipped to the end of its line instead of filling memory', async () => {
    const long = 'x'.repeat(MAX_RECORD_CHARS + 10);
    const csv = `${HEADER}\nJD-1,${long},1,s,411423\nJD-2,t,2,s,411423\nJD-3,"${long}\nJD-4,t,4,s,411423\n`;
    const records = await read(csv, 'csv');
    expect(records.map((record) => [record.line, 'error' in record ? record.error.slice(0, 15) : record.raw.platform_sku])).toEqual([
      [2, 'The line is lon'],
      [3, 'JD-2'],
      [4, 'The record runs'],
      [5, 'JD-4'],
    ]);
    const jsonl = `{"title":"${long}"}\n{"platform_sku":"JD-2"}\n`;
    expect(await read(jsonl, 'jsonl')).toEqual([
      { line: 1, error: expect.stringMatching(/longer than/) },
      { line: 2, raw: { platform_sku: 'JD-2' } },
    ]);
  });

  test('a quote inside an unquoted field is kept as a character', async () => {
    const [record] = await readAllWays(`${HEADER}\nJD-1,5"盆栽,1,s,411423\n`, 'csv');
    expect(record).toMatchObject({ raw: { title: '5"盆栽' } });
  });

  test('past the first 64 KiB, a record whose bytes are not UTF-8 is a record error; the others are read', async () => {
    const padding = Array.from({ length: 2000 }, (_, i) => `P-${i},宁陵酥梨 5斤装 现摘现发,39.90,合作社,411423\n`).join('');
    expect(Buffer.byteLength(padding)).toBeGreaterThan(65536);
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${padding}JD-1,`),
      Buffer.from([0xc4, 0xfe, 0xc1, 0xea]), // 宁陵 in GBK
      Buffer.from(',1,s,411423\nJD-2,宁陵,2,s,411423\n'),
    ]);
    const records = await read(bytes, 'csv', 4099);
    expect(records).toHaveLength(2002);
    expect(records.slice(-2)).toEqual([
      { line: 2002, error: expect.stringMatching(/not valid UTF-8/) },
      { line: 2003, raw: expect.objectContaining({ title: '宁陵' }) },
    ]);
  });

  test('header problems stop the reading before any record', async () => {
    await expect(read(`title,price\nt,1\n`, 'csv')).rejects.toThrow(/no column for the required fields platform_sku, supplier_name, supplier_region_code/);
    await expect(read(`${HEADER},price\nJD-1,t,1,s,411423,2\n`, 'csv')).rejects.toThrow(/"price" more than once/);
    await expect(read(`" ", \n`, 'csv')).rejects.toThrow(/names no columns/);
    await expect(read(`,,\n"",""\n`, 'csv')).rejects.toThrow(/no header row/);
    await expect(read(`"platform_sku,title\n`, 'csv')).rejects.toThrow(FeedUnreadableError);
  });

  test('string chunks (a stream with an encoding set) are read like bytes', async () => {
    const records: FeedRecord[] = [];
    const chunks = [`\uFEFF${HEADER}\nJD-1,"a,`, `b",1,s,411423\n`];
    for await (const record of readFeed(Readable.from(chunks), 'csv')) records.push(record);
    expect(records).toEqual([{ line: 2, raw: expect.objectContaining({ platform_sku: 'JD-1', title: 'a,b' }) }]);
  });
});

describe('readFeed: JSON Lines', () => {
  test('good and bad lines keep their line numbers; blank lines are skipped', async () => {
    const jsonl = [
      '{"platform_sku":"JD-1","title":"酥梨","price":"39.90","stock":12,"gtin":null,"on_sale":true}',
      '',
      '{"platform_sku":"JD-2", "title": }',
      '  ',
      '[1, 2]',
      '"JD-3"',
      'null',
      '{"platform_sku":"JD-4","title":{"zh":"酥梨"}}',
      '{"platform_sku":"JD-5","extra":{"ignored":true}}\r',
      '{"platform_sku":"JD-6"}',
    ].join('\n');
    const records = await readAllWays(jsonl, 'jsonl');
    expect(records).toEqual([
      { line: 1, raw: { platform_sku: 'JD-1', title: '酥梨', price: '39.90', stock: 12, gtin: null, on_sale: true } },
      { line: 3, error: expect.stringMatching(/not valid JSON/) },
      { line: 5, error: expect.stringMatching(/an array, not a JSON object/) },
      { line: 6, error: expect.stringMatching(/a string, not a JSON object/) },
      { line: 7, error: expect.stringMatching(/null, not a JSON object/) },
      { line: 8, error: expect.stringMatching(/"title" holds a JSON object/) },
      { line: 9, raw: { platform_sku: 'JD-5' } },
      { line: 10, raw: { platform_sku: 'JD-6' } },
    ]);
  });

  test('JSON Lines rows validate like CSV rows', async () => {
    const [record] = await read(`${JSON.stringify({ ...GOOD, price: 39.9, stock: 5, supplier_region_code: 411423 })}\n`, 'jsonl');
    if (!('raw' in record)) throw new Error('expected a row');
    expect(validateFeedRow(record.raw).listing).toMatchObject({ price: '39.90', stock: 5, supplierRegionCode: '411423' });
  });
});

describe('openFeed', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'listing-feed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string | Buffer): string {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  }

  async function unreadable(path: string, format?: FeedFormat): Promise<string> {
    const error = await openFeed(path, format).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(FeedUnreadableError);
    return (error as Error).message;
  }

  test('detectFormat goes by extension', () => {
    expect(detectFormat('/data/jd-2026-11.csv')).toBe('csv');
    expect(detectFormat('feed.CSV')).toBe('csv');
    expect(detectFormat('feed.jsonl')).toBe('jsonl');
    expect(detectFormat('feed.ndjson')).toBe('jsonl');
    expect(detectFormat('feed.json')).toBeNull();
    expect(detectFormat('feed.csv.gz')).toBeNull();
  });

  test('files that cannot be read at all throw FeedUnreadableError before any record', async () => {
    expect(await unreadable(join(dir, 'missing.csv'))).toMatch(/not found/);
    expect(await unreadable(file('empty.csv', ''))).toMatch(/empty/);
    expect(await unreadable(file('empty.jsonl', ''))).toMatch(/empty/);
    mkdirSync(join(dir, 'folder.csv'));
    expect(await unreadable(join(dir, 'folder.csv'))).toMatch(/directory/);
    expect(await unreadable(file('blank.csv', '\n\r\n  \n'))).toMatch(/no header row/);
    expect(await unreadable(file('blank.jsonl', '\n\n'))).toMatch(/no records/);
    expect(await unreadable(file('feed.txt', `${HEADER}\n`))).toMatch(/\.csv, \.jsonl or \.ndjson/);
    expect(await unreadable(file('header.csv', 'sku;name;price\n1;酥梨;39.90\n'))).toMatch(/no column for the required fields/);
  });

  test('binary garbage is unreadable (GBK exports are read: test/feedEncoding.test.ts)', async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
    expect(await unreadable(file('garbage.csv', garbage))).toMatch(/binary|UTF-8/);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
    expect(await unreadable(file('image.jsonl', png))).toMatch(/NUL|binary/);
  });

  test('an explicit format overrides the extension', async () => {
    const feed = await openFeed(file('feed.txt', `${JSON.stringify(GOOD)}\n`), 'jsonl');
    expect(feed.format).toBe('jsonl');
    const records: FeedRecord[] = [];
    for await (const record of feed.records) records.push(record);
    expect(records).toEqual([{ line: 1, raw: GOOD }]);
  });

  test('bytesRead grows to the file size while the records are read', async () => {
    const rows = [...generateFeedRows({ rows: 1500, seed: 7 })];
    const path = file('progress.csv', `${FEED_FIELDS.join(',')}\n${rows.map(csvLine).join('\n')}\n`);
    const feed = await openFeed(path);
    expect(feed.size).toBe(statSync(path).size);
    expect(feed.size).toBeGreaterThan(4 * 65536);
    const seen: number[] = [feed.bytesRead];
    let count = 0;
    for await (const record of feed.records) {
      if (++count % 100 === 0) seen.push(feed.bytesRead);
      expect(record).toHaveProperty('raw');
    }
    seen.push(feed.bytesRead);
    expect(count).toBe(1500);
    expect(seen[0]).toBeLessThan(feed.size);
    expect(seen.at(-1)).toBe(feed.size);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(new Set(seen).size).toBeGreaterThan(3);
  });

  test('leaving the loop early closes the file', async () => {
    if (!existsSync('/proc/self/fd')) return;
    const path = file('early.jsonl', `${[...generateFeedRows({ rows: 2000 })].map(jsonLine).join('\n')}\n`);
    const before = readdirSync('/proc/self/fd').length;
    const feed = await openFeed(path);
    for await (const record of feed.records) {
      expect(record.line).toBe(1);
      break;
    }
    // The handle is closed asynchronously after the stream is destroyed.
    for (let i = 0; i < 100 && readdirSync('/proc/self/fd').length > before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});

describe('generateFeedRows', () => {
  test('is deterministic for a seed and varies with it', () => {
    const a = [...generateFeedRows({ rows: 50, seed: 1 })];
    expect([...generateFeedRows({ rows: 50, seed: 1 })]).toEqual(a);
    expect([...generateFeedRows({ rows: 50, seed: 2 })]).not.toEqual(a);
    expect(new Set(a.map((row) => row.platform_sku)).size).toBe(50);
  });

  test('good rows validate, injected bad rows fail for their reason, and CSV/JSONL round-trip through the reader', async () => {
    const rows = [...generateFeedRows({ rows: 400, seed: 3, platform: 'pdd', badEvery: 10 })];
    const csv = `${FEED_FIELDS.join(',')}\n${rows.map(csvLine).join('\n')}\n`;
    const jsonl = `${rows.map(jsonLine).join('\n')}\n`;
    const fromCsv = await read(csv, 'csv', 4096);
    const fromJsonl = await read(jsonl, 'jsonl', 4096);
    expect(fromCsv).toHaveLength(400);
    expect(fromJsonl).toHaveLength(400);
    const kinds = new Set<string>();
    rows.forEach((row, index) => {
      const csvRecord = fromCsv[index];
      if (!('raw' in csvRecord)) throw new Error(csvRecord.error);
      expect(csvRecord.raw).toEqual(row);
      const jsonRecord = fromJsonl[index];
      if (!('raw' in jsonRecord)) throw new Error(jsonRecord.error);
      const fromBoth = [validateFeedRow(csvRecord.raw), validateFeedRow(jsonRecord.raw)];
      expect(fromBoth[1]).toEqual(fromBoth[0]);
      const kind = badRowKind(index, 10);
      if (kind === null || kind === 'unknown-region') {
        expect(fromBoth[0].problems).toEqual([]);
      } else {
        kinds.add(kind);
        expect(fromBoth[0].problems.map((problem) => problem.field)).toEqual([
          {
            'missing-price': 'price',
            'bad-price': 'price',
            'bad-gtin-check-digit': 'gtin',
            'bad-region-format': 'supplier_region_code',
            'missing-title': 'title',
            'http-url': 'url',
            'negative-stock': 'stock',
          }[kind],
        ]);
      }
    });
    expect(kinds.size).toBe(7);
    // Line numbers run ahead of row numbers where descriptions span lines.
    expect(fromCsv.at(-1)!.line).toBeGreaterThan(401);
    expect(rows.some((row) => /[",\n]/.test(row.description))).toBe(true);
  });
});
