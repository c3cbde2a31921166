import { readdirSync } from 'node:fs';
import { SECOND_TUNING_SET, TUNING_SET, importInOrder, readLabelledSet, score, supplierKeyOf, type LabelledListing } from '../scripts/evaluateMatching';
import { isValidGtin } from '../feed';
import {
  blockingKey,
  normalizeTitle,
  packSizeLabel,
  parsePackSize,
  productNameFromTitle,
  titleConflict,
  titleSimilarity,
  titleTokens,
} from '../subgraphs/products/matching/listingMatching';
import { clusterListings, planImport, type ClusterInput } from '../subgraphs/products/matching/catalogClustering';
import { MemoryCatalog } from '../subgraphs/products/matching/memoryCatalog';
import { titleAttributes, titleWords } from '../subgraphs/products/matching/titleWords';
import { LABELLED_SETS } from './support/labelledSets';
import { normalizeSupplierName } from '../subgraphs/suppliers/supplierName';

function label(title: string, unit?: string | null): string | null {
  const pack = parsePackSize(title, unit);
  return pack ? packSizeLabel(pack) : null;
}

describe('pack size', () => {
  it('reads 5斤, 2.5kg, 2500g, 2.5公斤 and 2.5千克 as the same mass', () => {
    expect(parsePackSize('宁陵酥梨 5斤装')).toEqual({ measure: 'g', amount: 2500 });
    // So many containers of the amount, unless the amount is the total; a year glued to a quantity is no part of it.
    expect(parsePackSize('黄桃罐头 六罐装425克')).toEqual({ measure: 'g', amount: 2550 });
    expect(parsePackSize('秋梨膏两瓶装150g')).toEqual({ measure: 'g', amount: 300 });
    expect(parsePackSize('秋梨膏两瓶装 共300g')).toEqual({ measure: 'g', amount: 300 });
    // And a half; a per-piece weight is no pack size; a size without its unit, or with a height, is the footprint in cm.
    expect(parsePackSize('土蜂蜜 一斤半')).toEqual({ measure: 'g', amount: 750 });
    expect(parsePackSize('红枣 三斤半 半价')).toEqual({ measure: 'g', amount: 1750 });
    expect(parsePackSize('土鸡蛋12枚 单枚50g')).toEqual({ measure: 'count', amount: 12 });
    expect(parsePackSize('苗绣抱枕 45x45 民族风')).toEqual({ measure: 'cm2', amount: 2025 });
    expect(parsePackSize('竹编收纳篮 30x20x15cm')).toEqual({ measure: 'cm2', amount: 600 });
    expect(parsePackSize('枸杞 250g*2')).toEqual({ measure: 'g', amount: 500 });
    // A count in brackets right after the amount says how it is packed, not how many of it.
    expect(parsePackSize('保靖黄金茶200g（2罐装）')).toEqual({ measure: 'g', amount: 200 });
    expect(parsePackSize('枣花蜜500g(2瓶装) 送礼')).toEqual({ measure: 'g', amount: 500 });
    expect(parsePackSize('黄桃果干 土特产100g*32025新货')).toEqual({ measure: 'g', amount: 300 });
    expect(parsePackSize('富平柿饼 2x500g2025')).toEqual({ measure: 'g', amount: 1000 });
    expect(parsePackSize('艾草热敷贴 正品30贴')).toEqual({ measure: 'count', amount: 30 });
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
    // A unit that names the container, beside a title that says how many.
    expect(label('砀山县梨膏 规格：250毫升×2', '250ml bottle')).toBe('500ml');
    expect(label('香辣香菇酱 210ml x6', '210ml bottle')).toBe('1260ml');
    expect(label('魔芋结 1kg(200g*5袋)', '1000g pack')).toBe('1000g');
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
    // A compound is named by its head: 酥梨膏 is a 梨膏, 麻鸭蛋 a 鸭蛋; 玉米粉 stays 玉米 (米 is no word of its own).
    expect(titleConflict('豫东 酥梨膏200g', '河南商丘 梨膏 200克')).toBeNull();
    // A kind under its kind, and a compound read by its head.
    expect(titleConflict('宾川 哈密瓜 5kg', '宾川甜瓜 5kg')).toBeNull();
    expect(titleConflict('田东芒果干 5 x 100g', '田东 果干 500g')).toBeNull();
    expect(titleConflict('科尔沁 荞麦面 1kg', '库伦 挂面 1kg')).toBeNull();
    expect(titleConflict('铜鼓麻鸭蛋 20枚', '铜鼓鸭蛋 20枚')).toBeNull();
    expect(titleConflict('洛阳玉米粉 2.5公斤', '洛阳米线 2.5公斤')).toBe('product 玉米 vs 米线');
    // Decoration, a more general word or a synonym is no conflict.
    expect(titleConflict('砀山酥梨 脆甜多汁', '砀山梨子 皮薄')).toBeNull();
    expect(titleConflict('寿光西红柿', '寿光番茄')).toBeNull();
    expect(titleConflict('梨乡秋梨膏 原味', '宁陵秋梨膏')).toBeNull();
  });

  it('makes product names that compare exactly as the titles they came from', async () => {
    expect(productNameFromTitle('【助农】🍐宁陵金顶谢花酥梨 5斤 顺丰包邮！')).toBe('宁陵金顶谢花酥梨 5斤');
    expect(productNameFromTitle('梨乡NFC梨汁 300ML x12瓶 EMS')).toBe('梨乡NFC梨汁 300ML x12瓶');
    for (const row of [...(await readLabelledSet(SECOND_TUNING_SET)).values(), ...(await readLabelledSet(TUNING_SET)).values()].flat()) {
      const name = productNameFromTitle(row.title);
      expect(normalizeTitle(name)).toBe(normalizeTitle(row.title));
      expect(parsePackSize(name)).toEqual(parsePackSize(row.title));
    }
  });
});

function listing(key: string, title: string, extra: Partial<ClusterInput> = {}): ClusterInput {
  const [platform] = key.split(':');
  return { key, platform: platform!, supplierKey: 'sup_1', title, unit: null, gtin: null, productId: null, ...extra };
}

function partition(clusters: string[][]): string[] {
  return clusters.map((keys) => keys.join(' ')).sort();
}

describe('pack sizes the feeds write', () => {
  it('reads multiples, counts and dimensions', () => {
    expect(label('木耳 250g×2')).toBe('500g');
    expect(label('木耳 2 x 250g')).toBe('500g');
    expect(label('梨汁 24瓶×250ml')).toBe('6000ml');
    expect(label('小鱼 100g*3袋')).toBe('300g');
    // A shipping promise glued to the multiplier is not part of it.
    expect(label('沙棘汁 250ML*1248小时发货')).toBe('3000ml');
    expect(label('柿饼 礼盒2x500克')).toBe('1000g');
    expect(label('剪纸 12张')).toBe('12pcs');
    expect(label('布贴画 60×90cm')).toBe('5400cm2');
    expect(label('挂毯 40*60厘米')).toBe('2400cm2');
    // A gift box of two is not the single jar.
    expect(label('槐花蜜 礼盒 500g×2瓶')).not.toBe(label('槐花蜜 500g'));
    // The unit field counting boxes does not hide the title's mass.
    expect(parsePackSize('富平柿饼 礼盒2x500克', '2盒/盒')).toEqual({ measure: 'g', amount: 1000 });
  });
});

describe('supplier identity', () => {
  const ningling = { province: '河南省', city: '商丘市', county: '宁陵县' };
  it('is one supplier within a county whatever the prefix, legal form, town suffix, renaming or spacing', () => {
    const key = normalizeSupplierName('宁陵县石桥镇刘楼村帮扶车间', ningling);
    for (const variant of ['河南省商丘市宁陵县石桥镇刘楼村扶贫车间', '石桥镇刘楼村扶贫车间', '宁陵 石桥刘楼村帮扶车间', '商丘市宁陵县石桥镇　刘楼村帮扶车间']) {
      expect(normalizeSupplierName(variant, ningling)).toBe(key);
    }
    const coop = normalizeSupplierName('宁陵县金顶谢花酥梨种植农民专业合作社', ningling);
    for (const variant of ['金顶谢花酥梨种植专业合作社', '宁陵金顶谢花酥梨种植合作社', '河南宁陵县金顶谢花酥梨种植社']) {
      expect(normalizeSupplierName(variant, ningling)).toBe(coop);
    }
    expect(normalizeSupplierName('河南省商丘市宁陵县梨乡食品有限公司', ningling)).toBe(normalizeSupplierName('宁陵梨乡食品有限责任公司', ningling));
    expect(normalizeSupplierName('陈家冲家庭农场', ningling)).toBe(normalizeSupplierName('陈家冲农场', ningling));
    expect(normalizeSupplierName('萨依巴格乡核桃食品有限公司', ningling)).toBe(normalizeSupplierName('萨依巴格核桃食品公司', ningling));
    // A bracketed note and traditional characters change nothing.
    expect(normalizeSupplierName('宁陵县金顶谢花酥梨种植专业合作社（普通合伙）', ningling)).toBe(coop);
    const food = normalizeSupplierName('宁陵县华星食品有限公司', ningling);
    for (const variant of ['华星食品(宁陵)有限公司', '宁陵县華星食品有限公司']) expect(normalizeSupplierName(variant, ningling)).toBe(food);
    expect(normalizeSupplierName('宁陵县刘楼乡扶贫就业车间', ningling)).toBe(normalizeSupplierName('宁陵县刘楼乡帮扶车间', ningling));
  });
  it('keeps different producers of one county apart', () => {
    expect(normalizeSupplierName('石桥镇酥梨合作社', ningling)).not.toBe(normalizeSupplierName('刘楼乡酥梨合作社', ningling));
    // A factory is not a company, and what a cooperative does is part of who it is.
    expect(normalizeSupplierName('宁陵县宝山食品厂', ningling)).not.toBe(normalizeSupplierName('宁陵县宝山食品有限公司', ningling));
    expect(normalizeSupplierName('泥河沟红枣种植专业合作社', ningling)).not.toBe(normalizeSupplierName('泥河沟红枣加工专业合作社', ningling));
  });
});

describe('the matching engine', () => {
  it('links equal GTINs always, across suppliers and pack sizes, and never two different GTINs', () => {
    const { clusters } = clusterListings([
      listing('jd:1', '柞水木耳 250g', { gtin: '6978206100012' }),
      listing('pdd:1', '秦岭小木耳 半斤装', { gtin: '06978206100012', supplierKey: 'sup_2' }),
      listing('taobao:1', '干货 木耳', { gtin: '6978206100012' }),
      listing('douyin:1', '柞水木耳 250g', { gtin: '6978206100029' }),
    ]);
    expect(partition(clusters)).toEqual(['douyin:1', 'jd:1 pdd:1 taobao:1']);
  });

  it('takes variety words from the data: what tells two listings of one platform apart is a conflict', () => {
    const { clusters } = clusterListings([
      listing('jd:1', '卢氏槐花蜜 500g 成熟蜜'),
      listing('jd:2', '卢氏枣花蜜 500g 成熟蜜'),
      listing('pdd:1', '伏牛山 槐花蜜 500g'),
      listing('pdd:2', '伏牛山 枣花蜜 500g'),
      listing('taobao:1', '【助农】枣花蜜 一斤 卢氏'),
    ]);
    expect(partition(clusters)).toEqual(['jd:1 pdd:1', 'jd:2 pdd:2 taobao:1']);
  });

  it('reads traditional characters as simplified and counts a word and its parts as one difference', () => {
    expect(normalizeTitle('西江蠟染桌旗 綠茶')).toBe(normalizeTitle('西江蜡染桌旗 绿茶'));
    expect(clusterListings([listing('jd:1', '西江千户苗寨蠟染桌旗30×180厘米'), listing('pdd:1', '雷山县 蜡染桌旗 30X180CM')]).clusters).toHaveLength(1);
    // 牦牛肉干 is one word on one side, not three (牦牛, 牦牛肉, 牦牛肉干) to pay for.
    expect(
      clusterListings([
        listing('jd:1', '阿坝五香牛肉干 零食 半斤 正品 助农 源头好货'),
        listing('jd:2', '阿坝原味牦牛肉干 半斤'),
        listing('pdd:1', '原味牛肉干 半斤'),
        listing('pdd:2', '阿坝若尔盖五香味牦牛肉干 零食 农家 半斤装 送礼佳品'),
      ]).clusters,
    ).toEqual([
      ['jd:1', 'pdd:2'],
      ['jd:2', 'pdd:1'],
    ]);
  });

  it('does not count synonyms, generic words, places or decoration as differences', () => {
    const { clusters } = clusterListings([
      listing('jd:1', '定西马铃薯 5斤 新鲜'),
      listing('pdd:1', '甘肃土豆 2.5kg 农家'),
      listing('taobao:1', '洋芋 五斤 脆甜'),
    ]);
    expect(clusters).toHaveLength(1);
  });

  it('lets a GTIN say the flavour or grade a title leaves out, and that two variety words name one product', () => {
    const rows = [
      listing('jd:1', '庄里 霜降柿饼 特大果王 2斤'),
      listing('pdd:1', '关中柿饼 1000克装', { gtin: '6952723592741' }),
      listing('taobao:1', '富平吊柿饼 特大柿饼 1kg', { gtin: '6952723592741' }),
    ];
    expect(partition(clusterListings(rows).clusters)).toEqual(['jd:1 pdd:1 taobao:1']);
    // Without the GTIN nothing says the plain title is the large grade.
    expect(clusterListings(rows.map((row) => ({ ...row, gtin: null }))).clusters.length).toBeGreaterThan(1);
    // Two names of one sausage (广式 on one listing, 原香 on others with its GTIN) are no two varieties.
    const sausages = [
      listing('douyin:1', '广式甜香肠 500g', { gtin: '6939813102936' }),
      listing('jd:1', '苗家 原香湘西腊肠 约1斤', { gtin: '6939813102936' }),
      listing('pdd:1', '原香香肠0.5公斤', { gtin: '6939813102936' }),
      listing('taobao:1', '武陵山 广式甜香肠 湘西腊肠 0.5公斤'),
      listing('douyin:2', '麻辣香肠 500g'),
      listing('jd:2', '苗家 麻辣湘西腊肠 1斤'),
      listing('pdd:2', '麻辣香肠 0.5公斤'),
      listing('taobao:2', '湘西 麻辣香肠 一斤'),
    ];
    expect(partition(clusterListings(sausages).clusters)).toEqual(['douyin:1 jd:1 pdd:1 taobao:1', 'douyin:2 jd:2 pdd:2 taobao:2']);
  });

  it('keeps piece sizes and stated colours apart', () => {
    expect(clusterListings([listing('jd:1', '墨脱石锅 24cm'), listing('pdd:1', '墨脱石锅 规格: 28厘米')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '兰考古筝 1.25米'), listing('pdd:1', '兰考 古筝 163cm')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '兰考古筝 1.63米'), listing('pdd:1', '兰考 古筝 163cm')]).clusters).toHaveLength(1);
    expect(clusterListings([listing('jd:1', '泾县宣纸 六尺'), listing('pdd:1', '泾县 宣纸 八尺')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '洛川苹果 果径80mm 5kg'), listing('pdd:1', '洛川苹果 85mm 5kg')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '彝绣挎包（红）22×28cm'), listing('pdd:1', '彝绣挎包 黑色 22*28cm')]).clusters).toHaveLength(2);
    // A colour right before the same name, and the finish of a handicraft.
    expect(clusterListings([listing('jd:1', '师宗牛肝菌干片 黄牛肝 半斤装'), listing('pdd:1', '师宗牛肝菌干片（黑牛肝菌）250g')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '安化碳化竹编收纳盒 30×20厘米'), listing('pdd:1', '安化原色竹编收纳篮30x20厘米')]).clusters).toHaveLength(2);
    expect(clusterListings([listing('jd:1', '本色竹编收纳盒 30×20厘米'), listing('pdd:1', '安化原色竹编收纳篮30x20厘米')]).clusters).toHaveLength(1);
  });

  it('reads single-character attributes of one kind as a difference, and a title without one as no conflict', () => {
    const apart = (a: string, b: string) => clusterListings([listing('jd:1', a), listing('pdd:1', b)]).clusters.length;
    // Written as a word of their own, in brackets, or cut off the name by the segmenter.
    expect(apart('海东互助 白青稞米5斤', '互助 青稞米 黑 2.5千克')).toBe(2);
    expect(apart('罗田 茯苓（片）500克', '罗田茯苓 块 一斤')).toBe(2);
    expect(apart('建瓯生珍珠栗2斤', '建瓯熟珍珠栗1千克')).toBe(2);
    expect(apart('彭水 细地瓜粉条 5斤', '彭水红薯粉条 宽 2.5kg')).toBe(2);
    expect(titleAttributes('柴达木 黑枸杞 0.5斤').get('colour')).toEqual(new Set(['黑']));
    // Part of a name, not an attribute: 黑木耳 and 白茶 are cut whole.
    expect(titleAttributes('房县黑木耳 白茶').size).toBe(0);
    expect(apart('房县黑木耳 半斤', '房县 木耳 250g')).toBe(1);
    // A single-character attribute is evidence like any variety word: 结 against 豆腐.
    expect(
      partition(
        clusterListings([
          listing('douyin:1', '1kg/5袋 鄂西巴东魔芋 结'),
          listing('douyin:2', '鄂西 魔芋（豆腐） 1kg/5袋'),
          listing('jd:1', '恩施巴东 家乡味 魔芋 结 5 x 200g'),
          listing('jd:2', '鄂 无添加 蒟蒻（豆腐） 200克×5袋 全国包邮'),
          listing('pdd:1', '【2025新货】 巴东县 魔芋结 1kg(200g*5袋)'),
          listing('pdd:2', '【直播间专享】巴东蒟蒻豆腐5袋*200g'),
          listing('taobao:1', '巴东 下饭 蒟蒻（结） 1kg/5袋'),
          listing('taobao:2', '恩施巴东魔芋 豆腐5 x 200g拍2件更划算'),
        ]).clusters,
      ),
    ).toEqual(['douyin:1 jd:1 pdd:1 taobao:1', 'douyin:2 jd:2 pdd:2 taobao:2']);
  });

  it('drops place and region names whole, and reads an approximate weight as the pack', () => {
    // 科尔沁 is a place: its part 科尔 is no word of the title.
    expect(titleWords('科尔沁甜荞荞麦面').words).not.toContain('科尔');
    expect(titleWords('南疆昆仑山 半仁核桃 大巴山').words).not.toEqual(expect.arrayContaining(['南疆']));
    expect(normalizeTitle('秭归 纽荷尔脐橙 10斤左右')).toBe(normalizeTitle('秭归 纽荷尔脐橙 10斤'));
  });

  it('links the few shared words of a block that holds one listing per platform and no conflict', () => {
    // 梨子 beside 雪梨: little in common, but nothing else in the block to confuse them with.
    const lone = [listing('jd:1', '苍溪梨子5斤 孕妇水果'), listing('pdd:1', '四川广元梨子 2.5kg现摘'), listing('taobao:1', '新鲜雪梨 5斤')];
    const { clusters, decisions } = clusterListings(lone);
    expect(clusters).toHaveLength(1);
    expect([...decisions.values()].some((decision) => /one product's listings/u.test(decision.explanation))).toBe(true);
    // With a second listing of one platform the block holds two products, and the usual threshold applies.
    expect(clusterListings([...lone, listing('jd:2', '苍溪红心猕猴桃 5斤')]).clusters.length).toBeGreaterThan(2);
  });

  it('gives the same partition for any order of the same rows, in one import or feed by feed', () => {
    const rows = [
      listing('jd:1', '卢氏槐花蜜 500g'),
      listing('jd:2', '卢氏枣花蜜 500g'),
      listing('pdd:1', '槐花蜂蜜 500g 卢氏'),
      listing('pdd:2', '枣花蜂蜜 一斤'),
      listing('taobao:1', '卢氏 槐花蜜 1斤', { gtin: '6911111111110' }),
      listing('douyin:1', '洋槐蜜 500克', { gtin: '6911111111110' }),
    ];
    const expected = partition(clusterListings(rows).clusters);
    expect(partition(clusterListings([...rows].reverse()).clusters)).toEqual(expected);
    const byFeeds = (order: string[]) => {
      const catalog = new MemoryCatalog();
      for (const platform of order) catalog.import(rows.filter((row) => row.platform === platform));
      const groups = new Map<string, string[]>();
      for (const [key, productId] of catalog.assignment()) groups.set(productId, [...(groups.get(productId) ?? []), key]);
      return [...groups.values()].map((keys) => keys.sort().join(' ')).sort();
    };
    expect(byFeeds(['jd', 'pdd', 'taobao', 'douyin'])).toEqual(expected);
    expect(byFeeds(['douyin', 'taobao', 'pdd', 'jd'])).toEqual(expected);
    expect(byFeeds(['pdd', 'douyin', 'jd', 'taobao'])).toEqual(expected);
  });

  it('never merges a frozen (certified or staff-arranged) product with another: it suggests instead', () => {
    const known = [listing('jd:1', '宁陵酥梨 5斤', { productId: 'P1' }), listing('pdd:1', '宁陵酥梨 2.5kg', { productId: 'P2' })];
    const free = planImport(known);
    expect(free.productOf.get('jd:1')).toBe(free.productOf.get('pdd:1'));
    const frozen = planImport(known, { frozenProducts: new Set(['P1', 'P2']) });
    expect(frozen.productOf.get('jd:1')).toBe('P1');
    expect(frozen.productOf.get('pdd:1')).toBe('P2');
    expect(frozen.suggestions).toHaveLength(1);
    expect(frozen.suggestions[0]!.evidence).toContain('certified or staff-arranged');
    const apart = planImport(known, { keptApart: new Set(['P1|P2']) });
    expect(apart.productOf.get('pdd:1')).toBe('P2');
  });

  it('keeps a product id while any of its listings stays with it', () => {
    const plan = planImport([listing('jd:1', '宁陵酥梨 5斤', { productId: 'P7' }), listing('pdd:1', '宁陵酥梨 2.5kg')]);
    expect(plan.productOf.get('pdd:1')).toBe('P7');
    expect(plan.newProducts.size).toBe(0);
  });

  it('explains which evidence decided', () => {
    const { decisions } = clusterListings([
      listing('jd:1', '宁陵酥梨 5斤', { gtin: '6973862100017' }),
      listing('pdd:1', '宁陵酥梨 2.5kg 包邮'),
      listing('taobao:1', '酥梨', { gtin: '6973862100017' }),
    ]);
    expect(decisions.get('taobao:1')!.explanation).toMatch(/same GTIN 06973862100017/);
    expect(decisions.get('pdd:1')!.explanation).toMatch(/same supplier and pack size 2500g; shared words .*酥梨.*; score \d\.\d\d/);
  });
});

describe.each(LABELLED_SETS)('labelled %s set', (_name, path, floors) => {
  let byPlatform: Map<string, LabelledListing[]>;
  beforeAll(async () => {
    byPlatform = await readLabelledSet(path);
  });

  it('is a realistic multi-platform set in the feed format', () => {
    expect(readdirSync(path).filter((file) => /\.(csv|jsonl)$/u.test(file)).length).toBe(4);
    const rows = [...byPlatform.values()].flat();
    expect(rows.length).toBeGreaterThanOrEqual(500);
    expect(new Set(rows.map((r) => r.label)).size).toBeGreaterThanOrEqual(150);
    expect(new Set(rows.map((r) => supplierKeyOf(r))).size).toBeGreaterThanOrEqual(40);
    for (const row of rows) if (row.gtin) expect(isValidGtin(row.gtin)).toBe(true);
  });

  it(`keeps precision ≥ ${floors.precision} and F1 ≥ ${floors.f1} through the import's engine, in any feed order`, () => {
    const platforms = [...byPlatform.keys()];
    const forward = importInOrder(byPlatform, platforms);
    const result = score(forward.assigned, forward.suggestions);
    expect(result.precision).toBeGreaterThanOrEqual(floors.precision);
    expect(result.f1).toBeGreaterThanOrEqual(floors.f1);
    const backward = importInOrder(byPlatform, [...platforms].reverse());
    const groups = (assigned: typeof forward.assigned) => {
      const byProduct = new Map<string, string[]>();
      for (const a of assigned) byProduct.set(a.productId, [...(byProduct.get(a.productId) ?? []), `${a.row.platform}:${a.row.platformSku}`]);
      return [...byProduct.values()].map((keys) => keys.sort().join(' ')).sort();
    };
    expect(groups(backward.assigned)).toEqual(groups(forward.assigned));
  });
});
