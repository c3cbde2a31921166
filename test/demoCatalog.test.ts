import { isValidGtin } from '../feed/gtin';
import { demoCatalog } from '../demo/demoCatalog';
import { demoCertificationRows } from '../subgraphs/certification/seed';
import { demoSupplierRows } from '../subgraphs/suppliers/seed';
import { normalizeSupplierName } from '../subgraphs/suppliers/supplierName';

// A fixed instant keeps failures reproducible; the determinism and "relative to
// now" checks below use a second, distant instant as well.
const NOW = new Date('2026-03-15T08:30:00.000Z');
const catalog = demoCatalog(NOW);

const OPEN = new Set(['PENDING', 'APPROVED']);
const CLOSED = new Set(['REJECTED', 'REVOKED', 'EXPIRED']);

function time(value: Date | string | null | undefined): number {
  if (value === null || value === undefined) throw new Error('missing date');
  return new Date(value).getTime();
}

function expectUnique(values: readonly unknown[]): void {
  expect(new Set(values).size).toBe(values.length);
}

const regionByCode = new Map(catalog.regions.map((r) => [r.code, r]));
const supplierById = new Map(catalog.suppliers.map((s) => [s.id, s]));
const productById = new Map(catalog.products.map((p) => [p.id, p]));

function isEligible(productId: string): boolean {
  const supplier = supplierById.get(productById.get(productId)!.supplierId)!;
  const region = regionByCode.get(supplier.regionCode)!;
  return region.designatedPovertyCounty === true || (supplier.beneficiaryHouseholds ?? 0) >= 1;
}

function certificationsOf(productId: string) {
  return catalog.certifications.filter((c) => c.productId === productId);
}

describe('demo catalog: regions and suppliers', () => {
  const supplierRegionCodes = new Set(catalog.suppliers.map((s) => s.regionCode));

  it('has unique six-digit region codes with composed names', () => {
    expectUnique(catalog.regions.map((r) => r.code));
    for (const r of catalog.regions) {
      expect(r.code).toMatch(/^\d{6}$/);
      expect(r.name).toBe(`${r.province}${r.city}${r.county}`);
    }
    expect(catalog.regions.length).toBeGreaterThanOrEqual(28);
  });

  it('includes Ningling County, Henan as a designated poverty county', () => {
    expect(regionByCode.get('411423')).toEqual({
      code: '411423',
      name: '河南省商丘市宁陵县',
      county: '宁陵县',
      city: '商丘市',
      province: '河南省',
      designatedPovertyCounty: true,
    });
  });

  it('spreads suppliers over at least 8 counties in at least 5 provinces, including 2 non-designated ones', () => {
    const supplierRegions = [...supplierRegionCodes].map((code) => regionByCode.get(code)!);
    expect(supplierRegions.length).toBeGreaterThanOrEqual(8);
    expect(new Set(supplierRegions.map((r) => r.province)).size).toBeGreaterThanOrEqual(5);
    expect(supplierRegions.filter((r) => !r.designatedPovertyCounty).length).toBeGreaterThanOrEqual(2);
    expect(catalog.regions.length - supplierRegions.length).toBeGreaterThanOrEqual(20);
  });

  it('has at least 20 suppliers with fixed ids, known regions and every kind', () => {
    expect(catalog.suppliers.length).toBeGreaterThanOrEqual(20);
    expectUnique(catalog.suppliers.map((s) => s.id));
    catalog.suppliers.forEach((s, i) => {
      expect(s.id).toBe(`sup_${String(i + 1).padStart(3, '0')}`);
      expect(regionByCode.has(s.regionCode)).toBe(true);
      expect(Number.isInteger(s.beneficiaryHouseholds)).toBe(true);
      expect(s.beneficiaryHouseholds).toBeGreaterThanOrEqual(0);
    });
    expect(new Set(catalog.suppliers.map((s) => s.kind))).toEqual(new Set(['COOPERATIVE', 'RELIEF_WORKSHOP', 'ENTERPRISE', 'FAMILY_FARM']));
    expect(catalog.suppliers.some((s) => s.beneficiaryHouseholds === 0)).toBe(true);
  });

  it('is seeded with the normalized name, unique per county', () => {
    const rows = demoSupplierRows(catalog);
    expect(rows.map(({ normalizedName: _normalizedName, ...supplier }) => supplier)).toEqual(catalog.suppliers);
    for (const s of rows) {
      expect(s.normalizedName).toBe(normalizeSupplierName(s.name, regionByCode.get(s.regionCode)!));
    }
    expectUnique(rows.map((s) => `${s.regionCode}|${s.normalizedName}`));
  });
});

describe('demo catalog: products and listings', () => {
  it('has at least 60 products with fixed ids covering every category', () => {
    expect(catalog.products.length).toBeGreaterThanOrEqual(60);
    catalog.products.forEach((p, i) => expect(p.id).toBe(`prd_${String(i + 1).padStart(3, '0')}`));
    expect(new Set(catalog.products.map((p) => p.category))).toEqual(
      new Set(['FRUIT', 'VEGETABLE', 'GRAIN', 'TEA', 'MEAT_POULTRY', 'AQUATIC', 'PROCESSED_FOOD', 'HANDICRAFT', 'OTHER']),
    );
  });

  it('originates every product in its supplier county', () => {
    for (const p of catalog.products) {
      const supplier = supplierById.get(p.supplierId);
      expect(supplier).toBeDefined();
      expect(p.originRegionCode).toBe(supplier!.regionCode);
    }
  });

  it('uses valid, unique Chinese GTIN-13 codes', () => {
    const gtins = catalog.products.flatMap((p) => (p.gtin ? [p.gtin] : []));
    expect(gtins.length).toBeGreaterThanOrEqual(10);
    expectUnique(gtins);
    for (const gtin of gtins) {
      expect(gtin).toMatch(/^69\d{11}$/);
      expect(isValidGtin(gtin)).toBe(true);
    }
  });

  it('leaves the aggregates to the seeding code', () => {
    for (const p of catalog.products) {
      expect(p.minPrice).toBeUndefined();
      expect(p.maxPrice).toBeUndefined();
      expect(p.priceCurrency).toBeUndefined();
      expect(p.totalMonthlySales).toBeUndefined();
      expect(p).not.toHaveProperty('matchKey');
    }
  });

  it('gives every product distinct past timestamps', () => {
    expectUnique(catalog.products.map((p) => time(p.createdAt)));
    expectUnique(catalog.products.map((p) => time(p.updatedAt)));
    for (const p of catalog.products) {
      expect(time(p.createdAt)).toBeLessThan(time(p.updatedAt));
      expect(time(p.updatedAt)).toBeLessThan(NOW.getTime());
    }
  });

  it('has at least 3 lowercase platforms', () => {
    expect(catalog.platforms.length).toBeGreaterThanOrEqual(3);
    for (const p of catalog.platforms) expect(p.code).toMatch(/^[a-z]{2,10}$/);
    expectUnique(catalog.platforms.map((p) => p.code));
  });

  it('lists every product on 1-4 distinct platforms, most on 2 or more', () => {
    const platformCodes = new Set(catalog.platforms.map((p) => p.code));
    const perProduct = new Map<string, string[]>();
    for (const l of catalog.listings) {
      expect(platformCodes.has(l.platformCode)).toBe(true);
      expect(productById.has(l.productId)).toBe(true);
      perProduct.set(l.productId, [...(perProduct.get(l.productId) ?? []), l.platformCode]);
    }
    for (const p of catalog.products) {
      const platforms = perProduct.get(p.id) ?? [];
      expect(platforms.length).toBeGreaterThanOrEqual(1);
      expect(platforms.length).toBeLessThanOrEqual(4);
      expectUnique(platforms);
    }
    const multi = catalog.products.filter((p) => perProduct.get(p.id)!.length >= 2).length;
    expect(multi / catalog.products.length).toBeGreaterThan(0.75);
    // Prices differ across platforms for most multi-platform products.
    const varied = catalog.products.filter((p) => {
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a seed price is a number, a string or a Decimal
      const prices = catalog.listings.filter((l) => l.productId === p.id).map((l) => String(l.price));
      return prices.length >= 2 && new Set(prices).size >= 2;
    }).length;
    expect(varied / multi).toBeGreaterThan(0.75);
  });

  it('has well-formed listings with unique ids and (platform, externalId)', () => {
    expectUnique(catalog.listings.map((l) => l.id));
    expectUnique(catalog.listings.map((l) => `${l.platformCode}|${l.externalId}`));
    catalog.listings.forEach((l, i) => {
      expect(l.id).toBe(`lst_${String(i + 1).padStart(4, '0')}`);
      expect(l.price).toMatch(/^\d+\.\d{2}$/);
      expect(Number(l.price)).toBeGreaterThan(0);
      expect(l.currency).toBe('CNY');
      expect(Number.isInteger(l.stock)).toBe(true);
      expect(Number.isInteger(l.monthlySales)).toBe(true);
      expect(l.url).toMatch(/^https:\/\//);
      expect(l.url).toContain(l.externalId);
      expect(l.title.length).toBeGreaterThan(0);
      expect(time(l.updatedAt)).toBeLessThan(NOW.getTime());
      if (l.gtin) expect(l.gtin).toBe(productById.get(l.productId)!.gtin);
    });
  });
});

describe('demo catalog: certifications', () => {
  it('uses every status, with several currently valid approvals and a lapsed one', () => {
    expect(new Set(catalog.certifications.map((c) => c.status))).toEqual(new Set(['PENDING', 'APPROVED', 'REJECTED', 'REVOKED', 'EXPIRED']));
    const approved = catalog.certifications.filter((c) => c.status === 'APPROVED');
    expect(approved.filter((c) => time(c.validUntil) > NOW.getTime()).length).toBeGreaterThanOrEqual(5);
    expect(approved.filter((c) => time(c.validUntil) < NOW.getTime()).length).toBeGreaterThanOrEqual(1);
  });

  it('has fixed ids, known products and evidence everywhere', () => {
    expectUnique(catalog.certifications.map((c) => c.id));
    catalog.certifications.forEach((c, i) => {
      expect(c.id).toBe(`cert_${String(i + 1).padStart(3, '0')}`);
      expect(productById.has(c.productId)).toBe(true);
      expect(c.evidence.trim().length).toBeGreaterThan(0);
    });
  });

  it('is seeded with certificate numbers by year of validFrom and origin county', () => {
    const rows = demoCertificationRows(catalog);
    expect(rows.certifications.map(({ certificateNumber: _certificateNumber, ...certification }) => certification)).toEqual(catalog.certifications);
    expect(rows.certificationEvents).toEqual(catalog.certificationEvents);
    const numbers: string[] = [];
    for (const c of rows.certifications) {
      const issued = c.status === 'APPROVED' || c.status === 'REVOKED' || c.status === 'EXPIRED';
      if (!issued) {
        expect(c.certificateNumber ?? null).toBeNull();
        continue;
      }
      expect(c.certificateNumber).toMatch(/^FP-\d{4}-\d{6}-\d{6}$/);
      expect(c.issuedBy).toBeTruthy();
      expect(time(c.validFrom)).toBeLessThan(time(c.validUntil));
      const [, year, county] = c.certificateNumber!.split('-');
      expect(county).toBe(productById.get(c.productId)!.originRegionCode);
      // Years are China Standard Time years.
      expect(Number(year)).toBe(new Date(time(c.validFrom) + 8 * 3_600_000).getUTCFullYear());
      numbers.push(c.certificateNumber!);
    }
    expectUnique(numbers);
  });

  it('is seeded with certificate sequences in step with the numbers used', () => {
    const rows = demoCertificationRows(catalog);
    const maxByKey = new Map<string, number>();
    for (const c of rows.certifications) {
      if (!c.certificateNumber) continue;
      const [, year, county, seq] = c.certificateNumber.split('-');
      const key = `${Number(year)}|${county}`;
      maxByKey.set(key, Math.max(maxByKey.get(key) ?? 0, Number(seq)));
    }
    const sequences = new Map(rows.certificateSequences.map((s) => [`${s.year}|${s.regionCode}`, s.lastValue]));
    expect(sequences).toEqual(maxByKey);
  });

  it('records a consistent event history per certification', () => {
    const expectedActions: Record<string, string[]> = {
      PENDING: ['APPLIED'],
      APPROVED: ['APPLIED', 'APPROVED'],
      REJECTED: ['APPLIED', 'REJECTED'],
      REVOKED: ['APPLIED', 'APPROVED', 'REVOKED'],
      EXPIRED: ['APPLIED', 'APPROVED', 'EXPIRED'],
    };
    for (const c of catalog.certifications) {
      const events = catalog.certificationEvents.filter((e) => e.certificationId === c.id);
      expect(events.map((e) => e.action)).toEqual(expectedActions[c.status]);
      expect(c.version).toBe(events.length);
      for (let i = 1; i < events.length; i++) {
        expect(time(events[i]!.at)).toBeGreaterThan(time(events[i - 1]!.at));
      }
      for (const e of events) expect(e.actor.length).toBeGreaterThan(0);
      expect(time(c.createdAt)).toBe(time(events[0]!.at));
      expect(time(c.updatedAt)).toBe(time(events[events.length - 1]!.at));
      expect(time(c.updatedAt)).toBeLessThanOrEqual(NOW.getTime());
      const approvedAt = events.find((e) => e.action === 'APPROVED');
      if (approvedAt) expect(time(c.validFrom)).toBe(time(approvedAt.at));
    }
    const certIds = new Set(catalog.certifications.map((c) => c.id));
    for (const e of catalog.certificationEvents) expect(certIds.has(e.certificationId)).toBe(true);
  });

  it('has at most one open certification per product, newer than any closed one', () => {
    for (const p of catalog.products) {
      const certs = certificationsOf(p.id);
      const open = certs.filter((c) => OPEN.has(c.status));
      expect(open.length).toBeLessThanOrEqual(1);
      for (const closed of certs.filter((c) => CLOSED.has(c.status))) {
        if (open[0]) expect(time(open[0].createdAt)).toBeGreaterThan(time(closed.createdAt));
      }
    }
  });

  it('stores EXPIRED only once the product applied again', () => {
    for (const expired of catalog.certifications.filter((c) => c.status === 'EXPIRED')) {
      expect(time(expired.validUntil)).toBeLessThan(NOW.getTime());
      const newer = certificationsOf(expired.productId).filter((c) => time(c.createdAt) > time(expired.createdAt));
      expect(newer.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('has enough eligible uncertified and ineligible products, none of the latter approved', () => {
    const eligibleUncertified = catalog.products.filter((p) => isEligible(p.id) && certificationsOf(p.id).every((c) => CLOSED.has(c.status)));
    expect(eligibleUncertified.length).toBeGreaterThanOrEqual(10);

    const ineligible = catalog.products.filter((p) => !isEligible(p.id));
    expect(ineligible.length).toBeGreaterThanOrEqual(5);
    for (const p of ineligible) {
      expect(certificationsOf(p.id).some((c) => c.status === 'APPROVED')).toBe(false);
    }
  });
});

describe('demo catalog: determinism', () => {
  it('returns deep-equal data for the same now', () => {
    expect(demoCatalog(new Date(NOW))).toEqual(catalog);
  });

  it('shifts every timestamp with now and nothing else', () => {
    const later = demoCatalog(new Date(NOW.getTime() + 400 * 86_400_000));
    expect(later.listings.map((l) => l.externalId)).toEqual(catalog.listings.map((l) => l.externalId));
    expect(later.products.map((p) => time(p.createdAt) - time(catalog.products.find((q) => q.id === p.id)!.createdAt))).toEqual(
      catalog.products.map(() => 400 * 86_400_000),
    );
    // Still valid a year later: open approvals are measured from now, not from a calendar date.
    const valid = later.certifications.filter((c) => c.status === 'APPROVED' && time(c.validUntil) > NOW.getTime() + 400 * 86_400_000);
    expect(valid.length).toBe(catalog.certifications.filter((c) => c.status === 'APPROVED' && time(c.validUntil) > NOW.getTime()).length);
  });
});

describe('normalizeSupplierName', () => {
  const ningling = { province: '河南省', city: '商丘市', county: '宁陵县' };
  const leishan = { province: '贵州省', city: '黔东南苗族侗族自治州', county: '雷山县' };
  const lixian = { province: '甘肃省', city: '陇南市', county: '礼县' };

  it('drops the county prefix and the organisation form', () => {
    expect(normalizeSupplierName('宁陵县金顶谢花酥梨种植专业合作社', ningling)).toBe('金顶谢花酥梨种植');
    expect(normalizeSupplierName('金顶谢花酥梨种植合作社', ningling)).toBe('金顶谢花酥梨种植');
    expect(normalizeSupplierName('宁陵金顶谢花酥梨种植农民专业合作社', ningling)).toBe('金顶谢花酥梨种植');
  });

  it('strips province, city and county in any written form', () => {
    expect(normalizeSupplierName('河南省商丘市宁陵县梨乡食品有限公司', ningling)).toBe('梨乡食品');
    expect(normalizeSupplierName('河南宁陵梨乡食品有限责任公司', ningling)).toBe('梨乡食品');
    expect(normalizeSupplierName('商丘 宁陵 梨乡食品公司', ningling)).toBe('梨乡食品');
    expect(normalizeSupplierName('黔东南州雷山县银球茶业有限责任公司', leishan)).toBe('银球茶业');
    expect(normalizeSupplierName('黔东南苗族侗族自治州雷山银球茶业有限公司', leishan)).toBe('银球茶业');
  });

  it('ends for a county named after its people alone (东乡族自治县, 鄂温克族自治旗)', () => {
    const dongxiang = { province: '甘肃省', city: '临夏回族自治州', county: '东乡族自治县' };
    const ewenki = { province: '内蒙古自治区', city: '呼伦贝尔市', county: '鄂温克族自治旗' };
    expect(normalizeSupplierName('东乡族自治县金银镇土豆种植农民专业合作社', dongxiang)).toBe('金银土豆种植');
    expect(normalizeSupplierName('东乡县金银镇土豆种植合作社', dongxiang)).toBe('金银土豆种植');
    expect(normalizeSupplierName('临夏州东乡金银镇土豆种植合作社', dongxiang)).toBe('金银土豆种植');
    expect(normalizeSupplierName('鄂温克旗牧歌乳业有限公司', ewenki)).toBe('牧歌乳业');
  });

  it('folds full-width characters, spaces and Latin case', () => {
    expect(normalizeSupplierName('宁陵县　ＡＢＣ 酥梨合作社', ningling)).toBe('abc酥梨');
    expect(normalizeSupplierName('宁陵县abc酥梨专业合作社', ningling)).toBe('abc酥梨');
  });

  it('does not cut one-character county stems off the producer name', () => {
    expect(normalizeSupplierName('礼县盐官镇苹果种植农民专业合作社', lixian)).toBe('盐官苹果种植');
    expect(normalizeSupplierName('礼品包装有限公司', lixian)).toBe('礼品包装');
  });

  it('reads a township with or without its 乡, and every name a relief workshop was renamed to', () => {
    const shizong = { province: '云南省', city: '曲靖市', county: '师宗县' };
    const anhua = { province: '湖南省', city: '益阳市', county: '安化县' };
    expect(normalizeSupplierName('师宗县五龙乡野生菌专业合作社', shizong)).toBe(normalizeSupplierName('云南省师宗县五龙野生菌合作社', shizong));
    expect(normalizeSupplierName('安化县江南竹艺乡村振兴帮扶车间', anhua)).toBe(normalizeSupplierName('湖南省益阳市安化县江南镇竹艺扶贫车间', anhua));
    expect(normalizeSupplierName('安化县江南竹艺乡村振兴车间', anhua)).toBe('江南竹艺帮扶车间');
    // 乡 that belongs to the name stays.
    expect(normalizeSupplierName('河南宁陵梨乡食品有限责任公司', ningling)).toBe('梨乡食品');
    expect(normalizeSupplierName('宁陵县乡村振兴梨果合作社', ningling)).toBe('乡村振兴梨果');
  });
});
