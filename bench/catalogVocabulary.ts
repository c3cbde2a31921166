// Words the benchmark catalog is built from, in the style of demo/demoCatalog.ts:
// real kinds of poverty-relief goods with plausible pack sizes and shelf
// prices, so names, sort orders and text lengths look like the real catalog.

export type Category = 'FRUIT' | 'VEGETABLE' | 'GRAIN' | 'TEA' | 'MEAT_POULTRY' | 'AQUATIC' | 'PROCESSED_FOOD' | 'HANDICRAFT' | 'OTHER';

export interface Goods {
  noun: string;
  /** What the producer does with it, for supplier names ("酥梨种植"). */
  trade: string;
  /** Pack sizes: [label in the name, unit]. */
  packs: readonly (readonly [string, string])[];
  /** Shelf price range in fen. */
  price: readonly [number, number];
}

// prettier-ignore
export const GOODS: Record<Category, readonly Goods[]> = {
  FRUIT: [
    { noun: '酥梨', trade: '酥梨种植', packs: [['2.5kg', '2.5kg箱'], ['5kg礼盒装', '5kg箱']], price: [1990, 5990] },
    { noun: '红富士苹果', trade: '苹果种植', packs: [['5kg', '5kg箱'], ['80mm大果 8.5kg', '8.5kg箱']], price: [2990, 7900] },
    { noun: '猕猴桃', trade: '猕猴桃种植', packs: [['12枚装', '12枚盒'], ['3kg', '3kg箱']], price: [2590, 6800] },
    { noun: '脐橙', trade: '脐橙种植', packs: [['5kg', '5kg箱'], ['9斤家庭装', '4.5kg箱']], price: [2990, 5990] },
    { noun: '椪柑', trade: '柑橘种植', packs: [['5kg', '5kg箱']], price: [2490, 4590] },
    { noun: '百香果', trade: '百香果种植', packs: [['2.5kg', '2.5kg箱']], price: [1990, 3990] },
    { noun: '黄桃', trade: '黄桃种植', packs: [['2.5kg', '2.5kg箱'], ['5kg', '5kg箱']], price: [2590, 5590] },
    { noun: '软籽石榴', trade: '石榴种植', packs: [['8枚装', '8枚盒']], price: [3990, 6990] },
  ],
  VEGETABLE: [
    { noun: '黑木耳', trade: '木耳', packs: [['250g', '250g袋'], ['500g', '500g袋']], price: [2990, 7990] },
    { noun: '椴木香菇', trade: '食用菌', packs: [['500g', '500g袋']], price: [3290, 5990] },
    { noun: '冬笋', trade: '竹笋', packs: [['2.5kg', '2.5kg箱']], price: [3990, 6990] },
    { noun: '高山马铃薯', trade: '马铃薯种植', packs: [['5kg', '5kg箱']], price: [1590, 2990] },
    { noun: '紫薯', trade: '薯类种植', packs: [['2.5kg', '2.5kg箱']], price: [1590, 2990] },
    { noun: '铁棍山药', trade: '山药种植', packs: [['2.5kg', '2.5kg箱']], price: [3590, 6990] },
  ],
  GRAIN: [
    { noun: '梯田红米', trade: '红米种植', packs: [['2.5kg', '2.5kg袋'], ['5kg', '5kg袋']], price: [3990, 8990] },
    { noun: '香禾糯', trade: '糯米种植', packs: [['2.5kg', '2.5kg袋'], ['5kg', '5kg袋']], price: [4590, 8990] },
    { noun: '小米', trade: '谷子种植', packs: [['2.5kg', '2.5kg袋']], price: [2990, 4990] },
    { noun: '苦荞米', trade: '荞麦种植', packs: [['1kg', '1kg袋']], price: [1990, 3590] },
    { noun: '黑米', trade: '黑米种植', packs: [['2.5kg', '2.5kg袋']], price: [3290, 5590] },
  ],
  TEA: [
    { noun: '明前绿茶', trade: '茶叶', packs: [['250g', '250g罐'], ['100g', '100g盒']], price: [6800, 19800] },
    { noun: '高山红茶', trade: '茶叶', packs: [['200g', '200g盒']], price: [6800, 15800] },
    { noun: '毛尖', trade: '茶叶', packs: [['250g', '250g袋']], price: [8800, 16800] },
    { noun: '白茶', trade: '白茶', packs: [['100g', '100g盒'], ['250g', '250g罐']], price: [9800, 39800] },
    { noun: '苦荞茶', trade: '苦荞', packs: [['500g', '500g罐']], price: [2990, 5990] },
  ],
  MEAT_POULTRY: [
    { noun: '烟熏腊肉', trade: '生猪养殖', packs: [['500g', '500g袋']], price: [4800, 7800] },
    { noun: '麻辣香肠', trade: '生猪养殖', packs: [['500g', '500g袋']], price: [4590, 6990] },
    { noun: '散养土鸡蛋', trade: '土鸡养殖', packs: [['30枚', '30枚盒']], price: [2990, 4590] },
    { noun: '麻鸭蛋', trade: '麻鸭养殖', packs: [['20枚', '20枚盒']], price: [3290, 4990] },
    { noun: '牦牛肉干', trade: '牦牛养殖', packs: [['250g', '250g袋']], price: [6800, 12800] },
  ],
  AQUATIC: [
    { noun: '稻花鱼', trade: '稻渔综合种养', packs: [['1kg', '1kg袋']], price: [6800, 9800] },
    { noun: '禾花鲤', trade: '稻渔综合种养', packs: [['鲜活1kg', '1kg袋']], price: [6800, 8800] },
    { noun: '稻田泥鳅', trade: '泥鳅养殖', packs: [['500g', '500g袋']], price: [3290, 4990] },
    { noun: '小龙虾', trade: '小龙虾养殖', packs: [['1.5kg', '1.5kg盒']], price: [7990, 12800] },
  ],
  PROCESSED_FOOD: [
    { noun: '秋梨膏', trade: '食品加工', packs: [['300g', '300g瓶'], ['150g', '150g瓶']], price: [2590, 4990] },
    { noun: '黄桃罐头', trade: '罐头加工', packs: [['425g×6罐', '425g×6罐箱']], price: [3590, 4990] },
    { noun: '红薯粉条', trade: '粉条加工', packs: [['1kg', '1kg袋']], price: [1990, 3290] },
    { noun: '米线', trade: '米线加工', packs: [['1kg', '1kg袋']], price: [1990, 2990] },
    { noun: '苹果干', trade: '果干加工', packs: [['200g', '200g袋']], price: [1590, 2590] },
    { noun: '辣椒酱', trade: '调味品加工', packs: [['280g×2瓶', '280g×2瓶盒']], price: [2290, 3590] },
  ],
  HANDICRAFT: [
    { noun: '苗绣挂画', trade: '刺绣', packs: [['', '幅']], price: [19800, 49800] },
    { noun: '手工竹编收纳篮', trade: '竹编', packs: [['', '个']], price: [3500, 6900] },
    { noun: '蜡染棉麻围巾', trade: '蜡染', packs: [['', '条']], price: [9800, 16800] },
    { noun: '柳编水果篮', trade: '柳编', packs: [['', '个']], price: [2900, 4500] },
    { noun: '土布抱枕', trade: '土布纺织', packs: [['', '个']], price: [4900, 8900] },
  ],
  OTHER: [
    { noun: '土蜂蜜', trade: '中蜂养殖', packs: [['500g', '500g瓶']], price: [4800, 8800] },
    { noun: '薄皮核桃', trade: '核桃种植', packs: [['1kg', '1kg袋']], price: [3590, 5590] },
    { noun: '大红袍花椒', trade: '花椒种植', packs: [['250g', '250g袋']], price: [2590, 4590] },
    { noun: '野生板栗', trade: '板栗种植', packs: [['1kg', '1kg袋']], price: [2590, 3990] },
    { noun: '宁夏枸杞', trade: '枸杞种植', packs: [['500g', '500g罐']], price: [4590, 8800] },
    { noun: '五味子', trade: '中药材种植', packs: [['250g', '250g袋']], price: [2990, 4590] },
  ],
};

export const CATEGORIES = Object.keys(GOODS) as Category[];
/** How often each category occurs in the catalog (fruit and processed food dominate real relief catalogs). */
export const CATEGORY_WEIGHTS: Record<Category, number> = {
  FRUIT: 22,
  VEGETABLE: 12,
  GRAIN: 10,
  TEA: 10,
  MEAT_POULTRY: 10,
  AQUATIC: 5,
  PROCESSED_FOOD: 18,
  HANDICRAFT: 5,
  OTHER: 8,
};

export const ADJECTIVES = ['', '', '', '高山', '有机', '农家', '精选', '特级', '古法', '手工', '山地', '原生态', '当季'];

// prettier-ignore
export const PLACE_SYLLABLES = [
  '金', '银', '石', '桥', '梨', '花', '山', '河', '柳', '杨', '东', '西', '南', '北', '新', '古', '龙', '凤', '马', '白',
  '青', '红', '黄', '林', '田', '高', '平', '安', '和', '兴', '福', '丰', '泉', '岭', '沟', '庄', '坪', '寨', '湾', '溪',
  '云', '松', '竹', '茶', '桃', '李', '枣', '川', '塘', '坝',
];

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '罗', '高', '林'];

export const BRANDS = ['秦源', '梨乡', '山珍', '绿源', '云雾', '丰禾', '乡味', '金谷', '青山', '田园', '瑞丰', '润农', '惠农', '裕丰', '益农'];

export const PROMOS = ['现摘现发', '坏果包赔', '产地直发', '当季新货', '助农好物', '顺丰包邮', '冷链直达', '厂家直供'];

export const REVIEWERS = ['周建国', '杨丽', '王立新', '陈静', '刘卫东'];

export const PLATFORMS = [
  { code: 'jd', name: '京东' },
  { code: 'pdd', name: '拼多多' },
  { code: 'douyin', name: '抖音电商' },
  { code: 'taobao', name: '淘宝' },
] as const;

export type PlatformCode = (typeof PLATFORMS)[number]['code'];
