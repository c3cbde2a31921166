import {
  assignProducts,
  evaluateMatching,
  readLabelledListings,
  supplierKeyOf,
} from '../scripts/evaluateMatching';
import {
  CatalogMatcher,
  DEFAULT_MATCH_THRESHOLD,
  blockingKey,
  decideMatch,
  normalizeTitle,
  packSizeLabel,
  parsePackSize,
  productNameFromTitle,
  titleConflict,
  titleSimilarity,
  titleTokens,
  type MatchCandidate,
  type MatchInput,
} from '../subgraphs/products/listingMatching';

function label(title: string, unit?: string | null): string | null {
  const pack = parsePackSize(title, unit);
  return pack ? packSizeLabel(pack) : null;
}

function isValidGtin13(gtin: string): boolean {
  if (!/^\d{13}$/.test(gtin)) return false;
  const sum = [...gtin.slice(0, 12)].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10 === Number(gtin[12]);
}

describe('pack size', () => {
  it('reads 5斤, 2.5kg, 2500g, 2.5公斤 and 2.5千克 as the same mass', () => {
    expect(parsePackSize('宁陵酥梨 5斤装')).toEqual({ measure: 'g', amount: 2500 });
    for (const title of ['宁陵酥梨 2.5kg', '宁陵酥梨 2500g', '宁陵酥梨 2500克', '宁陵酥梨 2.5公斤', '宁陵酥梨 2.5千克', '宁陵酥梨 五斤']) {
      expect(label(title)).toBe('2500g');
    }
    expect(label('银球茶 二两 罐装')).toBe('100g');
    expect(label('雷山银球茶 半斤礼盒')).toBe('250g');
    expect(label('从江香禾糯 10斤装')).toBe('5000g');
  });

  it('reads 500ml, 0.5L, 500毫升 and 0.5升 as the same volume', () => {
    for (const title of ['梨汁 500ml', '梨汁 0.5L', '梨汁 500毫升', '梨汁 0.5升', '梨汁 500ML']) {
      expect(parsePackSize(title)).toEqual({ measure: 'ml', amount: 500 });
    }
  });

  it('applies multipliers in every written order', () => {
    expect(label('木耳 500g*2')).toBe('1000g');
    expect(label('木耳 500g×2袋')).toBe('1000g');
    expect(label('鱼酱 2袋×250g')).toBe('500g');
    expect(label('梨汁 12瓶×300ml')).toBe('3600ml');
    expect(label('梨汁 300ML x12瓶')).toBe('3600ml');
    expect(label('黄桃罐头 248gx8瓶')).toBe('1984g');
    expect(label('NFC梨汁 300ml 非浓缩还原 x6瓶')).toBe('1800ml');
    expect(label('NFC梨汁 6瓶装 每瓶300ml')).toBe('1800ml');
    expect(label('红米礼盒 2kg (500g*4)')).toBe('2000g');
  });

  it('counts pieces when no mass or volume is given', () => {
    expect(parsePackSize('土鸡蛋 12枚')).toEqual({ measure: 'count', amount: 12 });
    expect(label('苹果礼盒 10个装')).toBe('10pcs');
    expect(label('柳编收纳篮三件套')).toBe('3pcs');
    // Mass wins over a count of pieces, and a single piece is no pack size.
    expect(label('寻乌蜜柚 2个装 约5斤')).toBe('2500g');
    expect(parsePackSize('手工柳编水果篮 1个')).toBeNull();
    expect(parsePackSize('苗绣挎包 手工刺绣')).toBeNull();
  });

  it('folds full-width digits and units', () => {
    expect(label('礼县红富士苹果 ５斤')).toBe('2500g');
    expect(label('梯田红米 ５ｋｇ')).toBe('5000g');
    expect(label('宁陵梨汁 １２瓶×３００ｍｌ')).toBe('3600ml');
  });

  it('ignores per-fruit sizes and years, takes the upper end of a range and the gross weight', () => {
    expect(label('宁陵金顶谢花酥梨 精品礼盒 8个装 单果350g以上')).toBe('8pcs');
    expect(label('宁陵酥梨 5斤装 单果200-250g')).toBe('2500g');
    expect(label('砀山酥梨 4.5-5斤 中果')).toBe('2500g');
    expect(label('宁陵酥梨 净重4.5斤 带箱5斤')).toBe('2500g');
    expect(label('安吉白茶2025新茶明前特级250g')).toBe('250g');
    expect(label('礼县苹果礼盒 果径85mm以上')).toBeNull();
  });

  it('prefers the unit field when it names an amount, and falls back to the title', () => {
    expect(label('宁陵酥梨 5斤', '5kg箱')).toBe('5000g');
    expect(label('宁陵酥梨 5斤', '箱')).toBe('2500g');
    expect(label('宁陵酥梨', '2.5kg box')).toBe('2500g');
    expect(label('梨汁', '300ml×12瓶箱')).toBe('3600ml');
    expect(label('苹果礼盒', '12个/盒')).toBe('12pcs');
  });

  it('builds the blocking key from supplier and canonical pack size', () => {
    expect(blockingKey({ supplierKey: 'sup_001', title: '宁陵酥梨 5斤' })).toBe('sup_001|2500g');
    expect(blockingKey({ supplierKey: 'sup_001', title: '宁陵酥梨', unit: '2.5kg箱' })).toBe('sup_001|2500g');
    expect(blockingKey({ supplierKey: 'sup_001', title: '手工柳编水果篮', unit: null })).toBe('sup_001|?');
  });
});

describe('title normalisation and similarity', () => {
  it('removes promotional noise, couriers, emoji and promotional brackets', () => {
    expect(normalizeTitle('【助农扶贫】宁陵酥梨新鲜水果当季整箱5斤包邮现摘现发')).toBe('宁陵酥梨');
    expect(normalizeTitle('🍐宁陵金顶谢花酥梨 2.5kg 皮薄多汁 产地直发！')).toBe('宁陵金顶谢花酥梨 皮薄多汁');
    expect(normalizeTitle('[限时特价] 砀山酥梨 顺丰 京东快递 中通 官方旗舰店 一件代发 秒杀')).toBe('砀山酥梨');
    // A bracket without promotion is title text.
    expect(normalizeTitle('【尝鲜】宁陵金顶谢花酥梨 1500g')).toBe('尝鲜 宁陵金顶谢花酥梨');
  });

  it('folds full-width forms and traditional characters', () => {
    expect(normalizeTitle('甘肅禮縣紅富士蘋果 ５公斤')).toBe(normalizeTitle('甘肃礼县红富士苹果 5公斤'));
    expect(normalizeTitle('ＮＦＣ梨汁')).toBe('nfc梨汁');
    expect(titleSimilarity('元陽梯田紅米 5kg', '元阳梯田红米 5kg')).toBe(1);
  });

  it('tokenises CJK runs into bigrams and keeps Latin/number tokens whole', () => {
    expect(titleTokens('宁陵酥梨 NFC梨汁')).toEqual(['宁陵', '陵酥', '酥梨', 'nfc', '梨汁']);
  });

  it('compares token multisets, so word order does not matter', () => {
    expect(titleSimilarity('宁陵酥梨 金顶谢花 礼盒', '礼盒 金顶谢花 宁陵酥梨')).toBe(1);
  });

  it('leaves pack size and noise out of the comparison', () => {
    expect(titleSimilarity('宁陵酥梨 5斤 包邮', '宁陵酥梨 2.5kg 顺丰')).toBe(1);
    expect(titleSimilarity('宁陵酥梨 5斤', '宁陵酥梨 10斤')).toBe(1);
  });

  it('scores unrelated titles low and stays within [0, 1]', () => {
    const score = titleSimilarity('寿光西红柿 自然熟', '安吉白茶 明前特级');
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThan(0.1);
    expect(titleSimilarity('包邮 5斤', '顺丰 10斤')).toBe(0);
  });

  it('names the attribute that tells two products apart', () => {
    expect(titleConflict('柞水木耳 250g', '柞水香菇 250g')).toBe('product 木耳 vs 香菇');
    expect(titleConflict('雷山银球茶 礼盒装', '雷山银球茶 袋装')).toBe('packaging 礼盒 vs 袋装');
    expect(titleConflict('砀山酥梨特大果', '砀山酥梨')).toBe('grade 特大果 vs none');
    expect(titleConflict('秋梨膏 原味', '川贝枇杷秋梨膏')).toBe('flavour none vs 川贝枇杷');
    expect(titleConflict('金寨山核桃 奶油味', '金寨山核桃 椒盐味')).toBe('flavour 奶油 vs 椒盐');
    // Decoration, a more general word or a synonym is no conflict.
    expect(titleConflict('砀山酥梨 脆甜多汁', '砀山梨子 皮薄')).toBeNull();
    expect(titleConflict('寿光西红柿', '寿光番茄')).toBeNull();
    expect(titleConflict('梨乡秋梨膏 原味', '宁陵秋梨膏')).toBeNull();
  });

  it('makes product names that compare exactly as the titles they came from', () => {
    expect(productNameFromTitle('【助农】🍐宁陵金顶谢花酥梨 5斤 顺丰包邮！')).toBe('宁陵金顶谢花酥梨 5斤');
    expect(productNameFromTitle('梨乡NFC梨汁 300ML x12瓶 EMS')).toBe('梨乡NFC梨汁 300ML x12瓶');
    for (const row of readLabelledListings()) {
      const name = productNameFromTitle(row.title);
      expect(normalizeTitle(name)).toBe(normalizeTitle(row.title));
      expect(parsePackSize(name)).toEqual(parsePackSize(row.title));
    }
  });
});

describe('decideMatch', () => {
  const base: MatchInput = { gtin: null, supplierKey: 'sup_001', title: '宁陵金顶谢花酥梨 5斤装 包邮', unit: null };
  const pear5: MatchCandidate = { productId: 'P2', gtin: null, blockingKey: 'sup_001|2500g', name: '宁陵金顶谢花酥梨 2.5kg' };

  it('links by title to a candidate with the same supplier and pack size, and says why', () => {
    const decision = decideMatch(base, [pear5]);
    expect(decision).toMatchObject({ kind: 'title', productId: 'P2', score: 1 });
    expect(decision.explanation).toBe(
      `linked to P2: same supplier, same pack size 2500g, title similarity 1.00 ≥ ${DEFAULT_MATCH_THRESHOLD.toFixed(2)}`,
    );
  });

  it('lets an identical GTIN win over everything else', () => {
    const byGtin: MatchCandidate = { productId: 'P9', gtin: '6973862100017', blockingKey: 'sup_777|5000g', name: '别的名字' };
    const decision = decideMatch({ ...base, gtin: '6973862100017' }, [pear5, byGtin]);
    expect(decision).toEqual({ kind: 'gtin', productId: 'P9', score: null, explanation: 'linked to P9 by GTIN 6973862100017' });
    // GTIN-12 and GTIN-13 spellings of one code are the same code.
    expect(decideMatch({ ...base, gtin: '012345678905' }, [{ ...byGtin, gtin: '0012345678905' }]).kind).toBe('gtin');
  });

  it('never links by title to a candidate with a different GTIN', () => {
    const other = { ...pear5, gtin: '6973862100024' };
    const decision = decideMatch({ ...base, gtin: '6973862100017' }, [other]);
    expect(decision.kind).toBe('new');
    expect(decision.explanation).toContain('P2 excluded: different GTIN 6973862100024');
  });

  it('lets a listing with a GTIN link by title to a candidate without one', () => {
    expect(decideMatch({ ...base, gtin: '6973862100017' }, [pear5])).toMatchObject({ kind: 'title', productId: 'P2' });
  });

  it('never links across pack sizes or suppliers, however similar the titles', () => {
    const tenJin = decideMatch({ ...base, title: '宁陵金顶谢花酥梨 10斤装' }, [pear5]);
    expect(tenJin).toMatchObject({ kind: 'new', productId: null, score: null });
    expect(tenJin.explanation).toBe('new product: no candidate with the same supplier and pack size 5000g');

    const otherSupplier = decideMatch({ ...base, supplierKey: 'sup_002' }, [pear5]);
    expect(otherSupplier.kind).toBe('new');
    expect(otherSupplier.explanation).toBe('new product: no candidate with the same supplier and pack size 2500g');
  });

  it('reports a vocabulary conflict as the reason for a new product', () => {
    const fungus: MatchCandidate = { productId: 'P5', gtin: null, blockingKey: 'sup_001|250g', name: '秦岭山珍 柞水木耳 250g' };
    const decision = decideMatch({ ...base, title: '秦岭山珍 柞水香菇 半斤装' }, [fungus]);
    expect(decision.kind).toBe('new');
    expect(decision.explanation).toBe(
      'new product: no candidate with the same supplier and pack size 250g; P5 excluded: product 香菇 vs 木耳',
    );
  });

  it('applies the threshold, which is configurable', () => {
    const input = { ...base, title: '宁陵酥梨 5斤 农家自种 脆甜' };
    const score = titleSimilarity(input.title, pear5.name);
    expect(score).toBeGreaterThan(0.3);
    expect(score).toBeLessThan(0.8);
    expect(decideMatch(input, [pear5], { threshold: 0.3 }).kind).toBe('title');
    const strict = decideMatch(input, [pear5], { threshold: 0.8 });
    expect(strict.kind).toBe('new');
    expect(strict.explanation).toMatch(/^new product: best candidate P2 scored 0\.\d\d < 0\.80/);
    expect(strict.score).toBe(Math.round(score * 100) / 100);
  });

  it('breaks ties by the smallest productId, whatever the candidate order', () => {
    const twins = ['P10', 'P03', 'P07'].map((productId) => ({ ...pear5, productId }));
    expect(decideMatch(base, twins).productId).toBe('P03');
    expect(decideMatch(base, [...twins].reverse()).productId).toBe('P03');
  });
});

describe('CatalogMatcher', () => {
  it('creates products named after the listing, links later listings and learns GTINs', () => {
    const matcher = new CatalogMatcher({ newProductId: (n) => `prd_${n}` });
    const first = matcher.match({ gtin: null, supplierKey: 's', title: '柞水木耳 250g 秦岭', unit: null });
    expect(first).toMatchObject({ kind: 'new', productId: 'prd_1' });
    const second = matcher.match({ gtin: '6978206100098', supplierKey: 's', title: '柞水木耳 半斤 秦岭 包邮', unit: null });
    expect(second).toMatchObject({ kind: 'title', productId: 'prd_1' });
    // Another supplier name, but the GTIN learnt from the second listing.
    const third = matcher.match({ gtin: '6978206100098', supplierKey: 't', title: '木耳', unit: null });
    expect(third).toMatchObject({ kind: 'gtin', productId: 'prd_1' });
    expect(matcher.catalog()).toEqual([
      { productId: 'prd_1', gtin: '6978206100098', blockingKey: 's|250g', name: '柞水木耳 250g 秦岭' },
    ]);
  });

  it('is deterministic: the same rows in the same order give the same decisions', () => {
    const rows = readLabelledListings();
    const run = () => assignProducts(rows, DEFAULT_MATCH_THRESHOLD).map((a) => [a.decision.productId, a.decision.explanation]);
    expect(run()).toEqual(run());
  });
});

describe('labelled listings', () => {
  const rows = readLabelledListings();

  it('is a realistic multi-platform set', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    expect(new Set(rows.map((r) => r.product)).size).toBeGreaterThanOrEqual(80);
    expect(new Set(rows.map((r) => r.platform))).toEqual(new Set(['jd', 'pdd', 'douyin', 'taobao']));
    expect(new Set(rows.map((r) => `${r.platform}:${r.platform_sku}`)).size).toBe(rows.length);
    for (const row of rows) {
      if (row.gtin !== null) expect(isValidGtin13(row.gtin)).toBe(true);
      expect(row.supplier_region_code).toMatch(/^\d{6}$/);
      expect(() => supplierKeyOf(row)).not.toThrow();
    }
    // One GTIN per product label.
    const gtinOf = new Map<string, string>();
    for (const row of rows.filter((r) => r.gtin !== null)) {
      expect(gtinOf.get(row.product) ?? row.gtin).toBe(row.gtin);
      gtinOf.set(row.product, row.gtin!);
    }
  });

  it(`keeps F1 ≥ 0.97 and precision ≥ 0.98 at the default threshold ${DEFAULT_MATCH_THRESHOLD}`, () => {
    const result = evaluateMatching(rows);
    expect(result.precision).toBeGreaterThanOrEqual(0.98);
    expect(result.f1).toBeGreaterThanOrEqual(0.97);
  });

  it('trades recall for precision as the threshold rises', () => {
    const strict = evaluateMatching(rows, 0.9);
    expect(strict.precision).toBe(1);
    expect(strict.recall).toBeLessThan(evaluateMatching(rows).recall);
  });
});
