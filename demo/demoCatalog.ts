// Demo catalog: a small but realistic slice of poverty-relief goods, as plain
// data shaped like the rows of the three subgraph stores (their generated
// Prisma types). A column a subgraph derives by its own rules is left to that
// subgraph's seed (subgraphs/<name>/seed.ts), which turns this data into rows.
// Every timestamp is an offset from `now`, so certificates are still valid (or
// already lapsed) whenever the demo is seeded; everything else, ids included,
// is fixed.
import type { Prisma as CertificationPrisma } from '../subgraphs/certification/generated/prisma/client';
import type { Prisma as ProductsPrisma } from '../subgraphs/products/generated/prisma/client';
import type { Prisma as SuppliersPrisma } from '../subgraphs/suppliers/generated/prisma/client';

export interface DemoCatalog {
  regions: SuppliersPrisma.RegionCreateManyInput[];
  /** Without the normalized name: the suppliers seed derives it by the supplier name rule. */
  suppliers: Omit<SuppliersPrisma.SupplierCreateManyInput, 'normalizedName'>[];
  platforms: ProductsPrisma.PlatformCreateManyInput[];
  /** Without the matching key: the products seed derives it as the matching engine does. */
  products: Omit<ProductsPrisma.ProductCreateManyInput, 'matchKey'>[];
  /** Without what the matching engine keeps of a listing (supplier, block, GTIN-14): the products seed derives it. */
  listings: Omit<ProductsPrisma.ListingCreateManyInput, 'supplierId' | 'matchKey' | 'gtinKey'>[];
  /** Without certificate numbers: the certification seed hands them out (and its sequences) as the service does. */
  certifications: Omit<CertificationPrisma.CertificationCreateManyInput, 'certificateNumber'>[];
  certificationEvents: CertificationPrisma.CertificationEventCreateManyInput[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------
// Regions (GB/T 2260 county codes). `true` = on the national list of 832
// poverty counties. Zhejiang, Shandong and Jiangsu had none on that list,
// which is why the ineligible demo suppliers sit there.
// ---------------------------------------------------------------------------
type RegionRow = readonly [code: string, province: string, city: string, county: string, designated: boolean];

// prettier-ignore
const REGION_ROWS: readonly RegionRow[] = [
  // Counties that have demo suppliers.
  ['411423', '河南省', '商丘市', '宁陵县', true],
  ['341321', '安徽省', '宿州市', '砀山县', true],
  ['522634', '贵州省', '黔东南苗族侗族自治州', '雷山县', true],
  ['522633', '贵州省', '黔东南苗族侗族自治州', '从江县', true],
  ['532528', '云南省', '红河哈尼族彝族自治州', '元阳县', true],
  ['611026', '陕西省', '商洛市', '柞水县', true],
  ['621226', '甘肃省', '陇南市', '礼县', true],
  ['330523', '浙江省', '湖州市', '安吉县', false],
  ['370783', '山东省', '潍坊市', '寿光市', false],
  // Further counties, so region lookups and filters have something to chew on.
  ['410225', '河南省', '开封市', '兰考县', true],
  ['411421', '河南省', '商丘市', '民权县', true],
  ['411422', '河南省', '商丘市', '睢县', true],
  ['411424', '河南省', '商丘市', '柘城县', true],
  ['411425', '河南省', '商丘市', '虞城县', true],
  ['341322', '安徽省', '宿州市', '萧县', true],
  ['341323', '安徽省', '宿州市', '灵璧县', true],
  ['341324', '安徽省', '宿州市', '泗县', true],
  ['341524', '安徽省', '六安市', '金寨县', true],
  ['522631', '贵州省', '黔东南苗族侗族自治州', '黎平县', true],
  ['522632', '贵州省', '黔东南苗族侗族自治州', '榕江县', true],
  ['532529', '云南省', '红河哈尼族彝族自治州', '红河县', true],
  ['532531', '云南省', '红河哈尼族彝族自治州', '绿春县', true],
  ['611024', '陕西省', '商洛市', '山阳县', true],
  ['611025', '陕西省', '商洛市', '镇安县', true],
  ['621126', '甘肃省', '定西市', '岷县', true],
  ['433124', '湖南省', '湘西土家族苗族自治州', '花垣县', true],
  ['422801', '湖北省', '恩施土家族苗族自治州', '恩施市', true],
  ['360781', '江西省', '赣州市', '瑞金市', true],
  ['360734', '江西省', '赣州市', '寻乌县', true],
  ['513431', '四川省', '凉山彝族自治州', '昭觉县', true],
  ['640323', '宁夏回族自治区', '吴忠市', '盐池县', true],
  ['130624', '河北省', '保定市', '阜平县', true],
  ['330106', '浙江省', '杭州市', '西湖区', false],
  ['320507', '江苏省', '苏州市', '相城区', false],
  ['370686', '山东省', '烟台市', '栖霞市', false],
];

function buildRegions(): SuppliersPrisma.RegionCreateManyInput[] {
  return REGION_ROWS.map(([code, province, city, county, designated]) => ({
    code,
    name: `${province}${city}${county}`,
    county,
    city,
    province,
    designatedPovertyCounty: designated,
  }));
}

// ---------------------------------------------------------------------------
// Suppliers. Array position + 1 is the number in the id (sup_001 ...).
// ---------------------------------------------------------------------------
type SupplierSeed = Pick<SuppliersPrisma.SupplierCreateManyInput, 'name' | 'kind' | 'regionCode' | 'beneficiaryHouseholds'>;

// prettier-ignore
const SUPPLIER_SEEDS: readonly SupplierSeed[] = [
  // 宁陵县
  { name: '宁陵县金顶谢花酥梨种植专业合作社', kind: 'COOPERATIVE', regionCode: '411423', beneficiaryHouseholds: 186 },
  { name: '宁陵县梨乡食品有限公司', kind: 'ENTERPRISE', regionCode: '411423', beneficiaryHouseholds: 42 },
  { name: '宁陵县石桥镇刘楼村帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: '411423', beneficiaryHouseholds: 35 },
  // 砀山县
  { name: '砀山县良梨镇酥梨农民专业合作社', kind: 'COOPERATIVE', regionCode: '341321', beneficiaryHouseholds: 240 },
  // Designated county but no registered households: eligible through the county alone.
  { name: '安徽砀山果园食品有限责任公司', kind: 'ENTERPRISE', regionCode: '341321', beneficiaryHouseholds: 0 },
  { name: '砀山县李庄镇王家庭农场', kind: 'FAMILY_FARM', regionCode: '341321', beneficiaryHouseholds: 3 },
  // 雷山县
  { name: '雷山县银球茶业有限责任公司', kind: 'ENTERPRISE', regionCode: '522634', beneficiaryHouseholds: 128 },
  { name: '雷山县西江苗绣帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: '522634', beneficiaryHouseholds: 64 },
  { name: '雷山县丹江镇乡味农产品专业合作社', kind: 'COOPERATIVE', regionCode: '522634', beneficiaryHouseholds: 97 },
  // 从江县
  { name: '从江县香猪养殖农民专业合作社', kind: 'COOPERATIVE', regionCode: '522633', beneficiaryHouseholds: 153 },
  { name: '从江县加榜梯田香禾糯专业合作社', kind: 'COOPERATIVE', regionCode: '522633', beneficiaryHouseholds: 88 },
  { name: '从江县高增乡杨家庭农场', kind: 'FAMILY_FARM', regionCode: '522633', beneficiaryHouseholds: 2 },
  // 元阳县
  { name: '元阳县哈尼梯田红米专业合作社', kind: 'COOPERATIVE', regionCode: '532528', beneficiaryHouseholds: 210 },
  { name: '元阳县新街镇稻鱼鸭家庭农场', kind: 'FAMILY_FARM', regionCode: '532528', beneficiaryHouseholds: 4 },
  { name: '红河州元阳梯田农业开发有限公司', kind: 'ENTERPRISE', regionCode: '532528', beneficiaryHouseholds: 56 },
  // 柞水县
  { name: '柞水县小岭镇金米村木耳帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: '611026', beneficiaryHouseholds: 72 },
  { name: '柞水县秦岭山珍食品有限公司', kind: 'ENTERPRISE', regionCode: '611026', beneficiaryHouseholds: 0 },
  { name: '柞水县营盘镇山货农民专业合作社', kind: 'COOPERATIVE', regionCode: '611026', beneficiaryHouseholds: 45 },
  // 礼县
  { name: '礼县盐官镇苹果种植农民专业合作社', kind: 'COOPERATIVE', regionCode: '621226', beneficiaryHouseholds: 132 },
  { name: '礼县永兴镇赵家家庭农场', kind: 'FAMILY_FARM', regionCode: '621226', beneficiaryHouseholds: 5 },
  { name: '甘肃礼县秦源农产品有限公司', kind: 'ENTERPRISE', regionCode: '621226', beneficiaryHouseholds: 0 },
  // 安吉县: not a designated county; the tea cooperative is eligible only
  // because it employs households registered as lifted out of poverty.
  { name: '安吉县溪龙白茶专业合作社', kind: 'COOPERATIVE', regionCode: '330523', beneficiaryHouseholds: 12 },
  { name: '安吉县竹韵工艺品有限公司', kind: 'ENTERPRISE', regionCode: '330523', beneficiaryHouseholds: 0 },
  { name: '安吉县天荒坪镇笋农家庭农场', kind: 'FAMILY_FARM', regionCode: '330523', beneficiaryHouseholds: 0 },
  // 寿光市: same split, one ineligible grower and one eligible workshop.
  { name: '寿光市绿源蔬菜专业合作社', kind: 'COOPERATIVE', regionCode: '370783', beneficiaryHouseholds: 0 },
  { name: '寿光市洛城街道蔬菜分拣帮扶车间', kind: 'RELIEF_WORKSHOP', regionCode: '370783', beneficiaryHouseholds: 18 },
];

function supplierId(index: number): string {
  return `sup_${String(index + 1).padStart(3, '0')}`;
}

function buildSuppliers(now: Date, regions: SuppliersPrisma.RegionCreateManyInput[]): DemoCatalog['suppliers'] {
  const regionCodes = new Set(regions.map((region) => region.code));
  return SUPPLIER_SEEDS.map((seed, index) => {
    if (!regionCodes.has(seed.regionCode)) throw new Error(`demo supplier ${seed.name} is in unknown region ${seed.regionCode}`);
    const createdAt = new Date(now.getTime() - (900 - index * 13) * DAY);
    return {
      id: supplierId(index),
      ...seed,
      createdAt,
      updatedAt: new Date(now.getTime() - (60 - index) * DAY - index * HOUR),
    };
  });
}

// ---------------------------------------------------------------------------
// Platforms
// ---------------------------------------------------------------------------
// prettier-ignore
const PLATFORM_ROWS = [
  { code: 'jd', name: '京东' },
  { code: 'pdd', name: '拼多多' },
  { code: 'douyin', name: '抖音电商' },
  { code: 'taobao', name: '淘宝' },
] as const;

type PlatformCode = (typeof PLATFORM_ROWS)[number]['code'];

function buildPlatforms(now: Date): ProductsPrisma.PlatformCreateManyInput[] {
  return PLATFORM_ROWS.map((platform, index) => ({
    ...platform,
    createdAt: new Date(now.getTime() - (1000 - index * 30) * DAY),
  }));
}

// ---------------------------------------------------------------------------
// Products. Array position + 1 is the number in the id (prd_001 ...).
// `gtinBody` is the first 12 digits; the check digit is computed so that the
// codes stay valid if someone edits them. `price` is the reference shelf price
// in fen, from which the per-platform listing prices are derived.
// ---------------------------------------------------------------------------
type ProductSeed = Pick<ProductsPrisma.ProductCreateManyInput, 'name' | 'description' | 'category' | 'unit'> & {
  supplier: number;
  gtinBody?: string;
  price: number;
};

// prettier-ignore
const PRODUCT_SEEDS: readonly ProductSeed[] = [
  // sup_001 宁陵县金顶谢花酥梨种植专业合作社
  { supplier: 1, name: '宁陵金顶谢花酥梨 5kg礼盒装', category: 'FRUIT', unit: '5kg箱', gtinBody: '697386210001', price: 4990,
    description: '宁陵县黄河故道沙土地种植的金顶谢花酥梨，皮薄多汁、酥脆少渣，国家地理标志产品。' },
  { supplier: 1, name: '宁陵酥梨 2.5kg家庭装', category: 'FRUIT', unit: '2.5kg箱', gtinBody: '697386210002', price: 2680,
    description: '宁陵酥梨家庭装，单果200-300g，合作社统一分拣、冷库预冷后发货。' },
  { supplier: 1, name: '宁陵白蜡皮酥梨 4.5kg', category: 'FRUIT', unit: '4.5kg箱', price: 3990,
    description: '白蜡皮品种酥梨，果面光洁，耐储运，适合整箱团购。' },
  // sup_002 宁陵县梨乡食品有限公司
  { supplier: 2, name: '宁陵秋梨膏 300g', category: 'PROCESSED_FOOD', unit: '300g瓶', gtinBody: '697386220011', price: 4500,
    description: '以宁陵酥梨为主料，加入川贝、罗汉果古法熬制的梨膏，无添加防腐剂。' },
  { supplier: 2, name: '宁陵梨膏糖 200g', category: 'PROCESSED_FOOD', unit: '200g袋', gtinBody: '697386220012', price: 1990,
    description: '梨膏与麦芽糖熬制的传统硬糖，独立小包装。' },
  { supplier: 2, name: '宁陵酥梨NFC梨汁 300ml×12瓶', category: 'PROCESSED_FOOD', unit: '300ml×12瓶箱', gtinBody: '697386220013', price: 5900,
    description: 'NFC (Not From Concentrate) 非浓缩还原梨汁，宁陵酥梨鲜榨，冷链配送。' },
  // sup_003 宁陵县石桥镇刘楼村帮扶车间
  { supplier: 3, name: '手工柳编水果篮', category: 'HANDICRAFT', unit: '个', price: 3500,
    description: '帮扶车间村民手工编织的柳条果篮，可装5斤水果，适合作为礼品包装。' },
  { supplier: 3, name: '宁陵梨花蜂蜜 500g', category: 'OTHER', unit: '500g瓶', price: 4800,
    description: '梨花盛花期采集的单花蜜，色浅味清，村集体蜂场统一摇蜜灌装。' },
  // sup_004 砀山县良梨镇酥梨农民专业合作社
  { supplier: 4, name: '砀山酥梨 2.5kg', category: 'FRUIT', unit: '2.5kg箱', gtinBody: '697412330101', price: 2290,
    description: '正宗砀山酥梨（Dangshan pear），黄河故道百年梨园，脆甜多汁。' },
  { supplier: 4, name: '砀山油桃 2.5kg', category: 'FRUIT', unit: '2.5kg箱', price: 2990,
    description: '砀山露天种植中油系列油桃，现摘现发，单果130g以上。' },
  // sup_005 安徽砀山果园食品有限责任公司
  { supplier: 5, name: '砀山黄桃罐头 425g×6罐', category: 'PROCESSED_FOOD', unit: '425g×6罐箱', gtinBody: '697412340201', price: 3990,
    description: '砀山锦绣黄桃糖水罐头，果块完整，低糖配方，玻璃瓶装。' },
  { supplier: 5, name: '砀山秋梨膏 150g', category: 'PROCESSED_FOOD', unit: '150g瓶', gtinBody: '697412340202', price: 2990,
    description: '砀山酥梨熬制秋梨膏，随身小瓶装，温水冲饮。' },
  { supplier: 5, name: '砀山冻干梨片 50g', category: 'PROCESSED_FOOD', unit: '50g袋', gtinBody: '697412340203', price: 1590,
    description: 'FD真空冷冻干燥梨片，保留原果风味，零添加。' },
  // sup_006 砀山县李庄镇王家庭农场
  { supplier: 6, name: '砀山红富士苹果 5kg', category: 'FRUIT', unit: '5kg箱', price: 3580,
    description: '家庭农场自种红富士（Red Fuji），套袋种植，果径75mm以上。' },
  { supplier: 6, name: '砀山散养土鸡蛋 30枚', category: 'MEAT_POULTRY', unit: '30枚盒', price: 3200,
    description: '梨园林下散养土鸡所产鸡蛋，破损包赔。' },
  // sup_007 雷山县银球茶业有限责任公司
  { supplier: 7, name: '雷山银球茶 100g罐装', category: 'TEA', unit: '100g罐', gtinBody: '697625810301', price: 12800,
    description: '雷公山高海拔茶园一芽二叶手工揉捻成球，汤色嫩绿，栗香持久。' },
  { supplier: 7, name: '雷山毛尖 明前绿茶 250g', category: 'TEA', unit: '250g袋', gtinBody: '697625810302', price: 16800,
    description: '明前采摘雷山毛尖，富锌富硒茶区，清明前统一采制。' },
  { supplier: 7, name: '雷山高山红茶 200g', category: 'TEA', unit: '200g盒', gtinBody: '697625810303', price: 9800,
    description: '雷公山夏秋茶发酵制成的工夫红茶（black tea），蜜香明显。' },
  // sup_008 雷山县西江苗绣帮扶车间
  { supplier: 8, name: '苗绣手工刺绣装饰挂画', category: 'HANDICRAFT', unit: '幅', price: 36800,
    description: '西江千户苗寨绣娘手工破线绣，单幅约需15个工作日，附绣娘签名卡。' },
  { supplier: 8, name: '苗族手工錾刻银手镯', category: 'HANDICRAFT', unit: '只', price: 29900,
    description: '苗族银匠手工錾刻，足银S990，可调节开口。' },
  { supplier: 8, name: '苗族蜡染棉麻围巾', category: 'HANDICRAFT', unit: '条', price: 12800,
    description: '传统枫香染与蜡染工艺，植物染料，每条花纹略有不同。' },
  // sup_009 雷山县丹江镇乡味农产品专业合作社
  { supplier: 9, name: '雷山苗家鱼酱 500g', category: 'PROCESSED_FOOD', unit: '500g瓶', gtinBody: '697625820401', price: 3600,
    description: '苗家传统发酵鱼酱，稻田鱼与辣椒、木姜子腌制，酸香微辣。' },
  { supplier: 9, name: '雷山黑毛猪烟熏腊肉 500g', category: 'MEAT_POULTRY', unit: '500g袋', price: 5800,
    description: '农户散养黑毛猪，柴火烟熏四十天，真空包装。' },
  // sup_010 从江县香猪养殖农民专业合作社
  { supplier: 10, name: '从江香猪 整只约5kg', category: 'MEAT_POULTRY', unit: '约5kg只', price: 45800,
    description: '从江香猪（Congjiang mini pig）山地放养8个月以上，现杀现发，顺丰冷链。' },
  { supplier: 10, name: '从江香猪腊肉 500g', category: 'MEAT_POULTRY', unit: '500g袋', price: 6800,
    description: '香猪五花腊肉，肥瘦相间，传统柴火熏制。' },
  { supplier: 10, name: '从江香猪香肠 500g', category: 'MEAT_POULTRY', unit: '500g袋', gtinBody: '697625830501', price: 5990,
    description: '香猪肉灌制麻辣香肠，贵州风味。' },
  // sup_011 从江县加榜梯田香禾糯专业合作社
  { supplier: 11, name: '加榜梯田香禾糯 5kg', category: 'GRAIN', unit: '5kg袋', gtinBody: '697625830601', price: 8900,
    description: '加榜梯田一年一季香禾糯，稻鱼鸭共生系统种植，煮饭自带清香。' },
  { supplier: 11, name: '从江香禾糯米 2.5kg', category: 'GRAIN', unit: '2.5kg袋', price: 4990,
    description: '侗乡香禾糯，适合蒸糯米饭、打糍粑。' },
  { supplier: 11, name: '从江稻花鲤 鲜活1kg', category: 'AQUATIC', unit: '1kg袋', price: 7800,
    description: '稻田放养的禾花鲤（rice-field carp），活鱼充氧发货，限贵阳同城及周边。' },
  // sup_012 从江县高增乡杨家庭农场
  { supplier: 12, name: '从江椪柑 5kg', category: 'FRUIT', unit: '5kg箱', price: 3990,
    description: '高增乡山地椪柑，皮薄易剥，现摘现发。' },
  { supplier: 12, name: '从江百香果 2.5kg', category: 'FRUIT', unit: '2.5kg箱', price: 2990,
    description: '紫皮百香果（passion fruit），大果，果汁多。' },
  // sup_013 元阳县哈尼梯田红米专业合作社
  { supplier: 13, name: '元阳梯田红米 2.5kg', category: 'GRAIN', unit: '2.5kg袋', gtinBody: '697530270701', price: 4500,
    description: '世界文化遗产哈尼梯田（Hani Rice Terraces）种植的老品种红米，糙米保留米皮。' },
  { supplier: 13, name: '元阳红米 5kg', category: 'GRAIN', unit: '5kg袋', gtinBody: '697530270702', price: 7900,
    description: '哈尼梯田红米大包装，一年一季，山泉水灌溉。' },
  { supplier: 13, name: '元阳红米米线 1kg', category: 'PROCESSED_FOOD', unit: '1kg袋', gtinBody: '697530270703', price: 2590,
    description: '红米磨浆制成的干米线，煮5分钟即可。' },
  // sup_014 元阳县新街镇稻鱼鸭家庭农场
  { supplier: 14, name: '元阳梯田稻花鱼 1kg', category: 'AQUATIC', unit: '1kg袋', price: 8800,
    description: '梯田稻鱼鸭综合种养的稻花鱼，宰杀后急冻发货。' },
  { supplier: 14, name: '元阳梯田鸭蛋 20枚', category: 'MEAT_POULTRY', unit: '20枚盒', price: 4200,
    description: '梯田放养麻鸭所产鸭蛋，蛋黄橙红。' },
  { supplier: 14, name: '元阳梯田泥鳅 500g', category: 'AQUATIC', unit: '500g袋', price: 3900,
    description: '稻田野生泥鳅，鲜活发货，适合炖汤。' },
  // sup_015 红河州元阳梯田农业开发有限公司
  { supplier: 15, name: '元阳云雾绿茶 250g', category: 'TEA', unit: '250g罐', price: 8600,
    description: '观音山云雾茶区春茶，高山云雾滋养，滋味鲜爽。' },
  { supplier: 15, name: '元阳河谷香蕉 5kg', category: 'FRUIT', unit: '5kg箱', price: 3290,
    description: '红河河谷热区香蕉，自然催熟，青果发货。' },
  // sup_016 柞水县小岭镇金米村木耳帮扶车间
  { supplier: 16, name: '柞水木耳 250g', category: 'VEGETABLE', unit: '250g袋', gtinBody: '697910260801', price: 3990,
    description: '秦岭柞水黑木耳，小碗耳、肉厚无根，泡发率高。' },
  { supplier: 16, name: '柞水小木耳 500g', category: 'VEGETABLE', unit: '500g袋', gtinBody: '697910260802', price: 6990,
    description: '金米村智能连栋大棚培育的小木耳，大包装更实惠。' },
  { supplier: 16, name: '柞水木耳脆片 60g', category: 'PROCESSED_FOOD', unit: '60g袋', gtinBody: '697910260803', price: 1290,
    description: '低温真空油浴木耳脆片，即食零食。' },
  // sup_017 柞水县秦岭山珍食品有限公司
  { supplier: 17, name: '秦岭椴木香菇 500g', category: 'VEGETABLE', unit: '500g袋', price: 3680,
    description: '秦岭椴木段栽培的花菇、厚菇，干货。' },
  { supplier: 17, name: '柞水薄皮核桃 1kg', category: 'OTHER', unit: '1kg袋', price: 4200,
    description: '秦岭山地核桃（walnut），薄皮易剥，当季新货。' },
  { supplier: 17, name: '秦岭土蜂蜜 500g', category: 'OTHER', unit: '500g瓶', gtinBody: '697910270901', price: 5800,
    description: '中华蜂一年一取的百花蜜，自然成熟，波美度42以上。' },
  // sup_018 柞水县营盘镇山货农民专业合作社
  { supplier: 18, name: '柞水五味子 250g', category: 'OTHER', unit: '250g袋', price: 3500,
    description: '秦岭北五味子干果，可泡水、泡酒，中药材级别。' },
  { supplier: 18, name: '秦岭油栗 1kg', category: 'OTHER', unit: '1kg袋', price: 2880,
    description: '山地野生板栗（chestnut），个小甜糯，适合糖炒。' },
  // sup_019 礼县盐官镇苹果种植农民专业合作社
  { supplier: 19, name: '礼县红富士苹果 5kg', category: 'FRUIT', unit: '5kg箱', gtinBody: '697931260001', price: 3990,
    description: '陇南礼县高原苹果，昼夜温差大，糖心脆甜，Red Fuji apple。' },
  { supplier: 19, name: '礼县苹果 80mm大果 8.5kg', category: 'FRUIT', unit: '8.5kg箱', price: 6900,
    description: '礼县苹果精选果径80mm以上，整箱礼盒装。' },
  // sup_020 礼县永兴镇赵家家庭农场
  { supplier: 20, name: '礼县大红袍花椒 250g', category: 'OTHER', unit: '250g袋', price: 3200,
    description: '陇南大红袍花椒，颗粒饱满、麻味足，手工去籽。' },
  { supplier: 20, name: '礼县高山马铃薯 5kg', category: 'VEGETABLE', unit: '5kg箱', price: 1990,
    description: '高山沙壤土种植的黄心土豆，淀粉含量高。' },
  // sup_021 甘肃礼县秦源农产品有限公司
  { supplier: 21, name: '礼县苹果干 200g', category: 'PROCESSED_FOOD', unit: '200g袋', gtinBody: '697931270101', price: 1880,
    description: '礼县苹果低温烘干成片，不加糖。' },
  { supplier: 21, name: '礼县苹果醋 500ml', category: 'PROCESSED_FOOD', unit: '500ml瓶', gtinBody: '697931270102', price: 2200,
    description: '苹果原汁二次发酵酿造，总酸≥3.5g/100ml。' },
  { supplier: 21, name: '礼县大黄 中药材饮片 500g', category: 'OTHER', unit: '500g袋', price: 4500,
    description: '礼县道地药材大黄（rhubarb），切片晒干，中药材初加工品。' },
  // sup_022 安吉县溪龙白茶专业合作社
  { supplier: 22, name: '安吉白茶 明前特级 250g', category: 'TEA', unit: '250g罐', gtinBody: '693051230001', price: 39800,
    description: '溪龙乡核心产区明前安吉白茶（Anji white tea），氨基酸含量高，鲜爽回甘。' },
  { supplier: 22, name: '安吉白茶 一级 100g', category: 'TEA', unit: '100g盒', gtinBody: '693051230002', price: 13800,
    description: '安吉白茶一级，口粮茶小盒装。' },
  // sup_023 安吉县竹韵工艺品有限公司
  { supplier: 23, name: '安吉手工竹编收纳篮', category: 'HANDICRAFT', unit: '个', price: 4500,
    description: '毛竹篾手工编织收纳篮，防霉处理。' },
  { supplier: 23, name: '整竹拼接竹砧板', category: 'HANDICRAFT', unit: '块', price: 5900,
    description: '安吉毛竹高温碳化拼接砧板，40×28cm。' },
  { supplier: 23, name: '竹炭软毛牙刷 4支装', category: 'OTHER', unit: '4支装', gtinBody: '693051240101', price: 1990,
    description: '竹柄竹炭刷毛牙刷，可降解包装。' },
  // sup_024 安吉县天荒坪镇笋农家庭农场
  { supplier: 24, name: '安吉冬笋 2.5kg', category: 'VEGETABLE', unit: '2.5kg箱', price: 4990,
    description: '天荒坪竹山现挖冬笋，带泥发货保鲜。' },
  { supplier: 24, name: '安吉笋干 500g', category: 'PROCESSED_FOOD', unit: '500g袋', gtinBody: '693051250201', price: 3980,
    description: '农家手工晒制的笋干，炖肉佳品。' },
  // sup_025 寿光市绿源蔬菜专业合作社
  { supplier: 25, name: '寿光圣女果 2.5kg', category: 'FRUIT', unit: '2.5kg箱', price: 2990,
    description: '寿光大棚千禧圣女果（cherry tomato），现摘现发。' },
  { supplier: 25, name: '寿光水果黄瓜 2.5kg', category: 'VEGETABLE', unit: '2.5kg箱', price: 2280,
    description: '荷兰水果黄瓜品种，生吃脆甜。' },
  { supplier: 25, name: '寿光彩椒 2kg', category: 'VEGETABLE', unit: '2kg箱', price: 2690,
    description: '红黄彩椒混装，温室无土栽培。' },
  // sup_026 寿光市洛城街道蔬菜分拣帮扶车间
  { supplier: 26, name: '寿光时令蔬菜礼盒 8kg', category: 'VEGETABLE', unit: '8kg箱', price: 8800,
    description: '帮扶车间分拣包装的8种时令蔬菜组合，产地直发。' },
  { supplier: 26, name: '寿光韭菜 1kg', category: 'VEGETABLE', unit: '1kg袋', price: 1290,
    description: '头刀嫩韭菜，清晨采收当日发货。' },
];

function productId(index: number): string {
  return `prd_${String(index + 1).padStart(3, '0')}`;
}

/** GTIN-13 check digit: weights 1,3,1,3... from the left over the first 12 digits. */
export function gtin13CheckDigit(body: string): number {
  if (!/^\d{12}$/.test(body)) throw new Error(`GTIN-13 body must be 12 digits: ${body}`);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

function buildProducts(now: Date, suppliers: DemoCatalog['suppliers']): DemoCatalog['products'] {
  return PRODUCT_SEEDS.map(({ supplier, gtinBody, price: _price, ...seed }, index) => {
    const owner = suppliers[supplier - 1];
    if (!owner) throw new Error(`demo product ${seed.name} has unknown supplier ${supplier}`);
    // Offsets are distinct per product so ordering by either timestamp is stable.
    const createdAt = new Date(now.getTime() - (720 - index * 7) * DAY - index * HOUR);
    const updatedAt = new Date(now.getTime() - (index * 5 + 1) * HOUR - index * 60_000);
    return {
      id: productId(index),
      ...seed,
      ...(gtinBody ? { gtin: `${gtinBody}${gtin13CheckDigit(gtinBody)}` } : {}),
      originRegionCode: owner.regionCode,
      supplierId: owner.id,
      createdAt,
      updatedAt,
    };
  });
}

// ---------------------------------------------------------------------------
// Listings
// ---------------------------------------------------------------------------

/** FNV-1a: a fixed pseudo-random source, so ids/stock look organic but never change. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function digits(seed: string, length: number): string {
  let out = '';
  for (let round = 0; out.length < length; round++) {
    out += String(fnv1a(`${seed}#${round}`)).padStart(10, '0');
  }
  return out.slice(0, length);
}

interface PlatformStyle {
  externalId(seed: string): string;
  url(externalId: string): string;
  // Platforms price differently: PDD undercuts with subsidies, JD adds a premium for its logistics.
  priceOffset: number;
  salesFactor: number;
  title(product: ProductSeed, promo: string): string;
}

const PLATFORM_STYLES: Record<PlatformCode, PlatformStyle> = {
  jd: {
    externalId: (seed) => `100${digits(seed, 9)}`,
    url: (id) => `https://item.jd.com/${id}.html`,
    priceOffset: 300,
    salesFactor: 1,
    title: (p, promo) => `【京东物流】${p.name} ${promo} 助农扶贫产品`,
  },
  pdd: {
    externalId: (seed) => `5${digits(seed, 11)}`,
    url: (id) => `https://mobile.yangkeduo.com/goods.html?goods_id=${id}`,
    priceOffset: -400,
    salesFactor: 3,
    title: (p, promo) => `【百亿补贴】${p.name.replace(/\s+/g, '')}包邮 ${promo} 产地直发 坏单包退`,
  },
  douyin: {
    externalId: (seed) => `36${digits(seed, 17)}`,
    url: (id) => `https://haohuo.jinritemai.com/ecommerce/trade/detail/index.html?id=${id}`,
    priceOffset: -100,
    salesFactor: 2,
    title: (p, promo) => `直播间专享｜${p.name} ${promo}【顺丰包邮】`,
  },
  taobao: {
    externalId: (seed) => `6${digits(seed, 11)}`,
    url: (id) => `https://item.taobao.com/item.htm?id=${id}`,
    priceOffset: 0,
    salesFactor: 1,
    title: (p, promo) => `${p.name} 【包邮】${promo} 农家自产 当季新货`,
  },
};

const PROMO_BY_CATEGORY: Record<NonNullable<ProductSeed['category']>, readonly string[]> = {
  FRUIT: ['现摘现发', '坏果包赔', '当季鲜果'],
  VEGETABLE: ['现摘现发', '新鲜直达', '农家种植'],
  GRAIN: ['新米上市', '当季新米', '真空包装'],
  TEA: ['明前新茶', '高山茶园', '送礼佳品'],
  MEAT_POULTRY: ['现杀现发', '冷链直达', '农家散养'],
  AQUATIC: ['鲜活直发', '冷链包邮', '稻田养殖'],
  PROCESSED_FOOD: ['厂家直供', '无添加', '家庭囤货'],
  HANDICRAFT: ['纯手工', '非遗技艺', '伴手礼'],
  OTHER: ['产地直供', '山货特产', '助农好物'],
};

const PLATFORM_ORDER: readonly PlatformCode[] = ['jd', 'pdd', 'douyin', 'taobao'];
// Listing counts cycle through this pattern: mostly 2-3 platforms, a few
// products everywhere and a few sold on one platform only.
const LISTING_COUNTS = [2, 3, 2, 4, 1, 3, 2, 3, 2, 2, 4, 3] as const;

function formatPrice(fen: number): string {
  return (fen / 100).toFixed(2);
}

function buildListings(now: Date, products: DemoCatalog['products']): DemoCatalog['listings'] {
  const listings: DemoCatalog['listings'] = [];
  products.forEach((product, index) => {
    const seed = PRODUCT_SEEDS[index]!;
    const count = LISTING_COUNTS[index % LISTING_COUNTS.length]!;
    for (let slot = 0; slot < count; slot++) {
      const platformCode = PLATFORM_ORDER[(index + slot) % PLATFORM_ORDER.length]!;
      const style = PLATFORM_STYLES[platformCode];
      const key = `${platformCode}:${product.id}`;
      const externalId = style.externalId(key);
      const promos = PROMO_BY_CATEGORY[seed.category ?? 'OTHER'];
      const promo = promos[fnv1a(`${key}:promo`) % promos.length]!;
      // Offsets scale with the price so a 12.90 item does not go negative on PDD;
      // rounding to whole jiao keeps shelf-like prices (26.10, not 26.13).
      const offset = Math.round((style.priceOffset * Math.min(seed.price, 10_000)) / 100_000) * 10;
      const noise = (fnv1a(`${key}:price`) % 5) * 10;
      const stock = fnv1a(`${key}:stock`) % 9 === 0 ? 0 : 20 + (fnv1a(`${key}:stock`) % 1500);
      listings.push({
        id: `lst_${String(listings.length + 1).padStart(4, '0')}`,
        platformCode,
        externalId,
        productId: product.id,
        title: style.title(seed, promo),
        url: style.url(externalId),
        price: formatPrice(seed.price + offset + noise),
        currency: 'CNY',
        stock,
        monthlySales: (fnv1a(`${key}:sales`) % 800) * style.salesFactor,
        // Only JD and Taobao expose the barcode in their item data.
        ...(product.gtin && (platformCode === 'jd' || platformCode === 'taobao') ? { gtin: product.gtin } : {}),
        unit: seed.unit ?? null,
        updatedAt: new Date(now.getTime() - (index * 3 + slot + 1) * HOUR - slot * 7 * 60_000),
      });
    }
  });
  return listings;
}

// ---------------------------------------------------------------------------
// Certifications
// ---------------------------------------------------------------------------
type CertificationStatus = CertificationPrisma.CertificationCreateManyInput['status'];

/**
 * One certification's life. Day counts are "days before now". LAPSED is an
 * APPROVED row whose validUntil has passed: stored as APPROVED, read as expired.
 */
interface CertificationStory {
  product: number;
  outcome: CertificationStatus | 'LAPSED';
  applied: number;
  appliedBy: string;
  evidence: string;
  decided?: number;
  reviewer?: string;
  decisionNote?: string;
  validDays?: number;
  /** When it was revoked, or marked EXPIRED (when the product applied again). */
  closed?: number;
  closedBy?: string;
  closedNote?: string;
}

// prettier-ignore
const STORIES: readonly CertificationStory[] = [
  { product: 9, outcome: 'EXPIRED', applied: 790, appliedBy: 'platform:jd', decided: 775, reviewer: '周建国', validDays: 365,
    closed: 395, closedBy: 'system', closedNote: '证书有效期已满，产品重新申请认定',
    evidence: '砀山县乡村振兴局出具的扶贫产品认定推荐函；合作社带动脱贫户名单（218户）；砀山酥梨地理标志使用授权。' },
  { product: 33, outcome: 'EXPIRED', applied: 760, appliedBy: '李春花', decided: 750, reviewer: '杨丽', validDays: 365,
    closed: 30, closedBy: 'system', closedNote: '证书有效期已满，产品重新申请认定',
    evidence: '元阳县农业农村局产地证明；合作社章程及带动脱贫户分红记录。' },
  { product: 19, outcome: 'REJECTED', applied: 700, appliedBy: 'platform:douyin', decided: 690, reviewer: '王立新',
    decisionNote: '未提供帮扶车间吸纳脱贫人口就业的花名册及工资发放记录，请补充后重新申请。',
    evidence: '帮扶车间营业执照；产品照片及工艺说明。' },
  { product: 25, outcome: 'REVOKED', applied: 600, appliedBy: 'platform:pdd', decided: 590, reviewer: '杨丽', validDays: 730,
    closed: 200, closedBy: '王立新', closedNote: '市场监管抽检发现部分批次原料来自外县收购生猪，与申报产地不符，撤销认定。',
    evidence: '从江县乡村振兴局推荐函；香猪养殖基地备案表；带动脱贫户名单（153户）。' },
  { product: 41, outcome: 'LAPSED', applied: 440, appliedBy: 'platform:taobao', decided: 425, reviewer: '周建国', validDays: 365,
    evidence: '柞水县人民政府扶贫产品推荐函；金米村木耳产业基地带贫协议。' },
  { product: 52, outcome: 'REVOKED', applied: 420, appliedBy: 'platform:jd', decided: 410, reviewer: '杨丽', validDays: 730,
    closed: 90, closedBy: '周建国', closedNote: '企业生产线迁至县外代工，不再符合产地要求，撤销认定。',
    evidence: '礼县农业农村局产地证明；企业营业执照及食品生产许可证。' },
  { product: 9, outcome: 'APPROVED', applied: 395, appliedBy: 'platform:jd', decided: 380, reviewer: '王立新', validDays: 730,
    evidence: '砀山县乡村振兴局推荐函（续期）；带动脱贫户名单（240户）；上一年度酥梨收购台账。' },
  { product: 1, outcome: 'APPROVED', applied: 330, appliedBy: 'platform:jd', decided: 318, reviewer: '周建国', validDays: 730,
    evidence: '宁陵县乡村振兴局推荐函；合作社带动脱贫户名单（186户）；宁陵酥梨地理标志使用授权。' },
  { product: 2, outcome: 'APPROVED', applied: 300, appliedBy: '张桂英', decided: 290, reviewer: '杨丽', validDays: 365,
    evidence: '宁陵县乡村振兴局推荐函；合作社社员及脱贫户入社证明。' },
  { product: 4, outcome: 'APPROVED', applied: 280, appliedBy: 'platform:pdd', decided: 262, reviewer: '王立新', validDays: 730,
    evidence: '企业食品生产许可证；宁陵酥梨原料收购合同（覆盖脱贫户42户）；产品检验报告。' },
  { product: 5, outcome: 'REJECTED', applied: 250, appliedBy: 'platform:pdd', decided: 238, reviewer: '杨丽',
    decisionNote: '配料以白砂糖、麦芽糖为主，梨原料占比证明不足，不予认定。',
    evidence: '企业食品生产许可证；产品配料表。' },
  { product: 11, outcome: 'APPROVED', applied: 240, appliedBy: 'platform:taobao', decided: 230, reviewer: '周建国', validDays: 365,
    evidence: '砀山县乡村振兴局推荐函；黄桃收购台账；企业食品生产许可证。' },
  { product: 16, outcome: 'APPROVED', applied: 220, appliedBy: 'platform:jd', decided: 205, reviewer: '王立新', validDays: 730,
    evidence: '雷山县乡村振兴局推荐函；茶园基地带贫协议（128户）；SC食品生产许可证。' },
  { product: 19, outcome: 'APPROVED', applied: 200, appliedBy: 'platform:douyin', decided: 188, reviewer: '杨丽', validDays: 730,
    evidence: '帮扶车间吸纳就业花名册（64名脱贫劳动力）；工资发放记录；非遗传承人推荐信。' },
  { product: 24, outcome: 'APPROVED', applied: 190, appliedBy: 'platform:pdd', decided: 176, reviewer: '周建国', validDays: 365,
    evidence: '从江县乡村振兴局推荐函；动物检疫合格证明；养殖户名单。' },
  { product: 27, outcome: 'APPROVED', applied: 170, appliedBy: '吴老岩', decided: 160, reviewer: '王立新', validDays: 365,
    evidence: '加榜乡人民政府产地证明；合作社带动脱贫户名单（88户）。' },
  { product: 32, outcome: 'APPROVED', applied: 160, appliedBy: 'platform:douyin', decided: 151, reviewer: '杨丽', validDays: 730,
    evidence: '元阳县乡村振兴局推荐函；梯田红米种植基地备案；带动脱贫户名单（210户）。' },
  { product: 35, outcome: 'APPROVED', applied: 150, appliedBy: 'platform:jd', decided: 140, reviewer: '周建国', validDays: 365,
    evidence: '家庭农场登记证明；稻鱼鸭综合种养示范基地证书。' },
  { product: 40, outcome: 'APPROVED', applied: 140, appliedBy: 'platform:taobao', decided: 128, reviewer: '王立新', validDays: 730,
    evidence: '柞水县人民政府推荐函；帮扶车间就业花名册（72人）；产品检验报告。' },
  { product: 48, outcome: 'APPROVED', applied: 130, appliedBy: 'platform:pdd', decided: 117, reviewer: '杨丽', validDays: 365,
    evidence: '礼县乡村振兴局推荐函；苹果收购台账；带动脱贫户名单（132户）。' },
  { product: 55, outcome: 'APPROVED', applied: 110, appliedBy: 'platform:jd', decided: 96, reviewer: '周建国', validDays: 365,
    evidence: '合作社吸纳脱贫户就业证明（12户，东西部协作结对帮扶转移就业）；安吉白茶地理标志使用授权。' },
  { product: 65, outcome: 'APPROVED', applied: 100, appliedBy: 'platform:douyin', decided: 85, reviewer: '王立新', validDays: 365,
    evidence: '帮扶车间吸纳脱贫劳动力就业花名册（18人）；工资发放银行流水。' },
  { product: 60, outcome: 'REJECTED', applied: 95, appliedBy: 'platform:taobao', decided: 88, reviewer: '杨丽',
    decisionNote: '产地不属于国家扶贫开发工作重点县，且未带动脱贫户，不符合认定条件。',
    evidence: '家庭农场登记证明；产品照片。' },
  { product: 57, outcome: 'REJECTED', applied: 75, appliedBy: 'platform:pdd', decided: 70, reviewer: '周建国',
    decisionNote: '供应商所在县非脱贫县，且无带动脱贫户证明，不予认定。',
    evidence: '企业营业执照；产品质检报告。' },
  { product: 30, outcome: 'REJECTED', applied: 60, appliedBy: '杨秀兰', decided: 52, reviewer: '王立新',
    decisionNote: '乡镇出具的产地证明已过有效期，请更新后再申请。',
    evidence: '高增乡人民政府产地证明（出具已超过一年）。' },
  { product: 62, outcome: 'REJECTED', applied: 45, appliedBy: 'platform:pdd', decided: 41, reviewer: '杨丽',
    decisionNote: '寿光市非脱贫县且合作社无带动脱贫户，不符合认定条件。',
    evidence: '合作社营业执照；大棚种植基地照片。' },
  { product: 25, outcome: 'PENDING', applied: 40, appliedBy: 'platform:pdd',
    evidence: '整改报告；整改后县内生猪收购台账；从江县乡村振兴局重新出具的推荐函。' },
  { product: 33, outcome: 'PENDING', applied: 30, appliedBy: '李春花',
    evidence: '元阳县农业农村局产地证明（续期）；合作社带动脱贫户名单（210户）。' },
  { product: 3, outcome: 'PENDING', applied: 20, appliedBy: 'platform:taobao',
    evidence: '宁陵县乡村振兴局推荐函；合作社带动脱贫户名单（186户）。' },
  { product: 17, outcome: 'PENDING', applied: 14, appliedBy: 'platform:jd',
    evidence: '雷山县乡村振兴局推荐函；明前茶采摘收购台账。' },
  { product: 28, outcome: 'PENDING', applied: 9, appliedBy: 'platform:douyin',
    evidence: '合作社带动脱贫户名单（88户）；产品检验报告。' },
  { product: 44, outcome: 'PENDING', applied: 5, appliedBy: '陈明',
    evidence: '柞水县农业农村局产地证明；核桃收购台账。' },
  { product: 56, outcome: 'PENDING', applied: 2, appliedBy: 'platform:jd',
    evidence: '合作社吸纳脱贫户就业证明（12户）；产品检验报告。' },
];

const ISSUER_SUFFIX = '乡村振兴局消费帮扶产品认定办公室';

function buildCertifications(
  now: Date,
  products: DemoCatalog['products'],
  regions: SuppliersPrisma.RegionCreateManyInput[],
): Pick<DemoCatalog, 'certifications' | 'certificationEvents'> {
  const at = (daysAgo: number, minutes = 0) => new Date(now.getTime() - daysAgo * DAY + minutes * 60_000);
  const provinceOf = new Map(regions.map((region) => [region.code, region.province]));

  // Stories are listed in application order, so ids are chronological too.
  const drafts = STORIES.map((story, index) => {
    const product = products[story.product - 1];
    if (!product) throw new Error(`certification story for unknown product ${story.product}`);
    const id = `cert_${String(index + 1).padStart(3, '0')}`;
    const events: CertificationPrisma.CertificationEventCreateManyInput[] = [
      { certificationId: id, action: 'APPLIED', at: at(story.applied, 0), actor: story.appliedBy, note: '提交消费帮扶产品认定申请' },
    ];
    const issued = story.outcome !== 'PENDING' && story.outcome !== 'REJECTED';
    let validFrom: Date | undefined;
    let validUntil: Date | undefined;
    if (story.decided !== undefined) {
      const decidedAt = at(story.decided, 95);
      if (issued) {
        validFrom = decidedAt;
        validUntil = new Date(decidedAt.getTime() + (story.validDays ?? 365) * DAY);
        events.push({ certificationId: id, action: 'APPROVED', at: decidedAt, actor: `reviewer:${story.reviewer}`, note: '材料齐全，符合认定条件，予以认定' });
      } else {
        events.push({ certificationId: id, action: 'REJECTED', at: decidedAt, actor: `reviewer:${story.reviewer}`, note: story.decisionNote ?? null });
      }
    }
    if (story.closed !== undefined && (story.outcome === 'REVOKED' || story.outcome === 'EXPIRED')) {
      const closedBy = story.closedBy === 'system' ? 'system' : `reviewer:${story.closedBy}`;
      events.push({ certificationId: id, action: story.outcome, at: at(story.closed, 0), actor: closedBy, note: story.closedNote ?? null });
    }
    const status: CertificationStatus = story.outcome === 'LAPSED' ? 'APPROVED' : story.outcome;
    return { id, story, product, status, validFrom, validUntil, events };
  });

  const certifications = drafts.map(({ id, story, product, status, validFrom, validUntil, events }) => ({
    id,
    productId: product.id,
    status,
    issuedBy: validFrom ? `${provinceOf.get(product.originRegionCode) ?? ''}${ISSUER_SUFFIX}` : null,
    validFrom: validFrom ?? null,
    validUntil: validUntil ?? null,
    evidence: story.evidence,
    version: events.length,
    createdAt: events[0]!.at!,
    updatedAt: events[events.length - 1]!.at!,
  }));

  return { certifications, certificationEvents: drafts.flatMap((draft) => draft.events) };
}

export function demoCatalog(now: Date): DemoCatalog {
  const regions = buildRegions();
  const suppliers = buildSuppliers(now, regions);
  const platforms = buildPlatforms(now);
  const products = buildProducts(now, suppliers);
  const listings = buildListings(now, products);
  return { regions, suppliers, platforms, products, listings, ...buildCertifications(now, products, regions) };
}
