import { foldCharacters } from '../../common/chineseText';
import type { Region } from './generated/prisma/client';

export type RegionNames = Pick<Region, 'province' | 'city' | 'county'>;

// Minority names that occur in autonomous region/prefecture/county names. Listing
// them is what lets "黔东南苗族侗族自治州" shorten to "黔东南": a generic
// "any characters + 族" pattern would also swallow the place name itself.
const ETHNIC_GROUPS = [
  '蒙古',
  '回',
  '藏',
  '苗',
  '彝',
  '壮',
  '布依',
  '朝鲜',
  '满',
  '侗',
  '瑶',
  '白',
  '土家',
  '哈尼',
  '哈萨克',
  '傣',
  '黎',
  '傈僳',
  '佤',
  '畲',
  '拉祜',
  '水',
  '东乡',
  '纳西',
  '景颇',
  '柯尔克孜',
  '土',
  '达斡尔',
  '仫佬',
  '羌',
  '布朗',
  '撒拉',
  '毛南',
  '仡佬',
  '锡伯',
  '阿昌',
  '普米',
  '塔吉克',
  '怒',
  '乌孜别克',
  '鄂温克',
  '德昂',
  '保安',
  '裕固',
  '京',
  '独龙',
  '鄂伦春',
  '赫哲',
  '门巴',
  '珞巴',
  '基诺',
];

const AUTONOMOUS_SUFFIX = new RegExp(`(?:(?:${ETHNIC_GROUPS.join('|')})族|维吾尔)*自治(?:区|州|县|旗)$`);
const ADMINISTRATIVE_SUFFIX = /(?:省|市|县|区|州|盟|旗|地区|林区|特区)$/;

// The legal form says nothing about who the producer is, and feeds write it
// every way (农民专业合作社, 专业合作社, 合作社; 有限责任公司, 有限公司, 公司)
// or leave it out: the key keeps the name without it. Longer forms first.
// A 厂 is not among them: a factory is no abbreviation of a company, and
// 宝山火腿食品厂 beside 宝山火腿食品有限公司 in one county are two producers.
// Nor is what the organisation does (种植, 加工): 泥河沟红枣种植合作社 and
// 泥河沟红枣加工合作社 are two cooperatives, and a spelling that leaves it
// out is a near miss for staff (supplierReview.ts), not a silent merge.
const ORGANISATION_FORM_SUFFIX =
  /(?:家庭农场|农场|股份有限公司|有限责任公司|有限公司|公司|农民专业合作联社|农民专业合作社|农民合作社|专业合作联社|专业合作社|合作联社|合作社|社)$/u;

// Relief workshops were renamed in 2021 (扶贫车间 → 帮扶车间, likewise 扶贫工坊
// → 帮扶工坊); platforms still carry both names for one workshop.
// Since the renaming many also carry 乡村振兴 (乡村振兴车间, 乡村振兴帮扶车间).
const RENAMED_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/扶贫(?=车间|工坊|基地)/gu, '帮扶'],
  [/乡村振兴(?:帮扶)?(?=车间|工坊|基地)/gu, '帮扶'],
  [/就业帮扶车间/gu, '帮扶车间'],
  [/(?:扶贫|帮扶)就业车间/gu, '帮扶车间'],
];

function canonicalText(text: string): string {
  // NFKC folds full-width Latin, digits, brackets and the ideographic space,
  // and traditional characters read as simplified (華星 = 华星), so names
  // copied from different platforms compare equal; punctuation and spaces are
  // dropped wherever they stand.
  return foldCharacters(text).replace(/[\s\p{P}\p{S}]+/gu, '');
}

// A bracketed note is the legal form or the place again ("（普通合伙）",
// "华星食品(宁陵)有限公司"), never the producer's own name.
const BRACKETED_NOTE = /[(（【[][^()（）【】[\]]*[)）】\]]/gu;

/** The forms a place name appears in at the start of a supplier name. */
function placeNameForms(fullName: string): string[] {
  const full = canonicalText(fullName);
  if (full.length === 0) return [];
  const forms = [full];
  const autonomousStem = full.replace(AUTONOMOUS_SUFFIX, '');
  if (autonomousStem === '') {
    // The whole name is the people's name ("东乡族自治县", "鄂温克族自治旗"): it is
    // written "东乡县" or "东乡". An empty form would match every name and never shorten it.
    const short = full.replace(/族/gu, '').replace('自治', '');
    forms.push(short, short.slice(0, -1));
    return forms;
  }
  if (autonomousStem !== full) {
    // "黔东南苗族侗族自治州" is written "黔东南" or, just as often, "黔东南州".
    forms.push(autonomousStem, autonomousStem + full.slice(-1));
    return forms;
  }
  const stem = full.replace(ADMINISTRATIVE_SUFFIX, '');
  // A one-character stem ("礼" of "礼县") is too likely to be the start of the
  // producer's own name, so such counties are only stripped in full.
  if (stem !== full && stem.length >= 2) forms.push(stem);
  return forms;
}

/**
 * The distinctive part of a supplier name, used as the dedup key of suppliers
 * within a county: leading province/city/county names are removed (in full or
 * without their administrative suffix, in any order and repetition) and the
 * organisation form is dropped and renamed words are folded, so
 * "河南省宁陵县金顶谢花酥梨种植专业合作社", "金顶谢花酥梨种植合作社" and
 * "宁陵 金顶谢花酥梨种植社" are the same supplier, as are a 扶贫车间 and the
 * 帮扶车间 it was renamed to. What the organisation does (种植) and a 厂 stay.
 */
export function normalizeSupplierName(name: string, region: RegionNames): string {
  const prefixes = [region.province, region.city, region.county].flatMap(placeNameForms).sort((a, b) => b.length - a.length);

  let rest = canonicalText(name.replace(BRACKETED_NOTE, ''));
  for (let stripped = true; stripped;) {
    stripped = false;
    for (const prefix of prefixes) {
      // Never strip the whole name: a supplier called just "宁陵县" keeps it.
      if (prefix.length > 0 && rest.startsWith(prefix) && rest.length > prefix.length) {
        rest = rest.slice(prefix.length);
        stripped = true;
        break;
      }
    }
  }

  for (const [word, renamed] of RENAMED_WORDS) rest = rest.replace(word, renamed);
  // Towns are written with and without their 镇 ("旧院镇黑鸡养殖" and "旧院黑鸡养殖"), and
  // townships with and without their 乡 ("五龙乡野生菌" and "五龙野生菌", "萨依巴格乡核桃食品"
  // and "萨依巴格核桃食品"). 乡 is as often part of a name (梨乡, 水乡) or of 乡村: only a 乡
  // after a township name of two to four characters at the start goes.
  rest = rest.replace(/(?<=.)(?:镇|街道)(?=.)/gu, '');
  rest = rest.replace(/^(\p{Script=Han}{2,4})乡(?!村)(?=..)/u, '$1');
  // Never strip the whole name: a supplier called just "合作社" keeps it.
  const core = rest.replace(ORGANISATION_FORM_SUFFIX, '');
  return core.length >= 2 ? core : rest;
}
