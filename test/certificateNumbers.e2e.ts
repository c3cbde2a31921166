// Certificate numbers and the input rules of approvals, end to end on the
// embedded store and on PostgreSQL: FP-<year>-<origin county>-<sequence>,
// unique and never reused, also under concurrent approvals; eligibility, the
// validity window and required text, refused with nothing written.
import { codeOf } from './support/graphqlHttp';
import { chinaYear, hasNoCertification, inDays, STAFF_BACKENDS, staffOp, useStaffCatalog } from './support/staffCatalog';

describe.each(STAFF_BACKENDS)('certificate numbers and input rules through the gateway on %s', (backend) => {
  const staff = useStaffCatalog(backend);
  const {
    catalog,
    certifier,
    otherCertifier,
    partner,
    products,
    used,
    peek,
    pick,
    neverCertified,
    fresh,
    sql,
    snapshot,
    certificationRow,
    eventsOf,
    apply,
    approve,
    reject,
    revoke,
    certifyProducts,
    approved,
  } = staff;

  // -------------------------------------------------------------------------
  describe('certificate numbers: FP-<year>-<origin county>-<6-digit sequence>, unique, never reused', () => {
    it('numbers consecutive approvals in one county with increasing sequence numbers, also when approved at once', async () => {
      // Never-certified products from the origin county that has the most of them left.
      const left = (origin: string) => products.filter((p) => !used.has(p.id) && neverCertified(p) && p.origin === origin).length;
      const county = [...new Set(products.map((p) => p.origin))].sort((x, y) => left(y) - left(x))[0];
      expect(left(county)).toBeGreaterThanOrEqual(5);
      const inCounty = () => pick(`in county ${county}`, (p) => neverCertified(p) && p.origin === county);
      const [a, b] = [inCounty(), inCounty()];
      const year = chinaYear();
      const [sequence] = await sql<{ last_value: number }>(`SELECT last_value FROM certificate_sequence WHERE year = $1 AND region_code = $2`, [year, county]);
      const first = await approved((await apply(a.id)).id, 1);
      const second = await approved((await apply(b.id)).id, 1);
      const pattern = new RegExp(`^FP-${year}-${county}-(\\d{6})$`);
      expect(first.certificateNumber).toMatch(pattern);
      expect(second.certificateNumber).toMatch(pattern);
      const n1 = Number(pattern.exec(first.certificateNumber!)![1]);
      const n2 = Number(pattern.exec(second.certificateNumber!)![1]);
      expect(n1).toBe((sequence?.last_value ?? 0) + 1);
      expect(n2).toBe(n1 + 1);

      // Two approvals at the same moment still get distinct, consecutive numbers.
      const [c, d] = [await apply(inCounty().id), await apply(inCounty().id)];
      const together = await Promise.all([approve(c.id, 1), approve(d.id, 1, inDays(365), null, otherCertifier)]);
      for (const response of together) expect(response.errors).toBeUndefined();
      const concurrent = together.map((response) => Number(pattern.exec(response.data!.approveCertification.certificateNumber!)![1])).sort((x, y) => x - y);
      expect(concurrent).toEqual([n2 + 1, n2 + 2]);

      // Bulk tagging draws from the same sequence.
      const e = inCounty();
      const bulk = await certifyProducts([e.id]);
      expect(bulk.data!.certifyProducts.certified[0].certificateNumber).toBe(`FP-${year}-${county}-${String(n2 + 3).padStart(6, '0')}`);
      const [after] = await sql<{ last_value: number }>(`SELECT last_value FROM certificate_sequence WHERE year = $1 AND region_code = $2`, [year, county]);
      expect(after.last_value).toBe(n2 + 3);
    });

    it("takes the county from the product's origin, not from its supplier's county", async () => {
      const product = fresh();
      // Test setup: this product now comes from a county no demo supplier is in (民权县).
      const origin = '411421';
      expect(products.some((p) => p.origin === origin)).toBe(false);
      await catalog.stores.products.sql.query(`UPDATE product SET origin_region_code = $1 WHERE id = $2`, [origin, product.id]);
      const certificate = await approved((await apply(product.id)).id, 1);
      expect(certificate.certificateNumber).toBe(`FP-${chinaYear()}-${origin}-000001`);
    });

    it('never repeats a number across the store, and keeps numbers of seeded certificates', async () => {
      const rows = await sql<{ certificate_number: string }>(`SELECT certificate_number FROM certification WHERE certificate_number IS NOT NULL`);
      const numbers = rows.map((row) => row.certificate_number);
      expect(new Set(numbers).size).toBe(numbers.length);
      for (const number of numbers) expect(number).toMatch(/^FP-\d{4}-\d{6}-\d{6}$/);
      const seeded = products.flatMap((product) => product.certifications).filter((c) => c.certificateNumber);
      expect(numbers).toEqual(expect.arrayContaining(seeded.map((c) => c.certificateNumber)));
      // A duplicate number is refused by the database.
      await expect(
        sql(
          `INSERT INTO certification (id, product_id, status, evidence, version, certificate_number, valid_from, valid_until)
           VALUES ('cert_raw_dup', 'prd_raw', 'REVOKED', 'raw', 1, $1, now(), now())`,
          [numbers[0]],
        ),
      ).rejects.toThrow(/certification_certificate_number_key|unique/);
    });
  });

  // -------------------------------------------------------------------------
  describe('input rules: eligibility, validity window, required text', () => {
    it('refuses to approve an ineligible product with INELIGIBLE and writes nothing', async () => {
      const ineligible = pick('ineligible, never certified', (p) => !p.eligible && hasNoCertification(p));
      const application = await apply(ineligible.id);
      const before = await snapshot();
      const response = await approve(application.id, 1);
      expect(codeOf(response)).toBe('INELIGIBLE');
      expect(response.errors![0].extensions?.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/Failed/)]));
      expect(await snapshot()).toEqual(before);
    });

    it('refuses validUntil in the past or more than 3 years ahead with BAD_USER_INPUT naming the field', async () => {
      const application = await apply(fresh().id);
      const bulkTarget = peek('never certified', neverCertified);
      const before = await snapshot();
      for (const validUntil of [inDays(-1), new Date(Date.now() - 1000).toISOString(), inDays(3 * 366 + 2), inDays(365 * 10)]) {
        const response = await approve(application.id, 1, validUntil);
        expect(codeOf(response)).toBe('BAD_USER_INPUT');
        expect(response.errors![0].extensions?.field).toBe('validUntil');
        expect(response.errors![0].message).toMatch(/validUntil/);
        const bulk = await certifyProducts([bulkTarget.id], validUntil);
        expect(codeOf(bulk)).toBe('BAD_USER_INPUT');
        expect(bulk.errors![0].message).toMatch(/validUntil/);
      }
      const malformed = await approve(application.id, 1, '2030-01-01');
      expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
      expect(await snapshot()).toEqual(before);
      // Just inside three years is fine.
      const ok = await approved(application.id, 1, inDays(3 * 365 - 1));
      expect(ok.status).toBe('APPROVED');
    });

    it('refuses blank evidence and reasons with BAD_USER_INPUT naming the field, and writes nothing', async () => {
      const pending = await apply(fresh().id);
      const live = await apply(fresh().id);
      await approved(live.id, 1);
      const target = peek('never certified', neverCertified);
      const before = await snapshot();
      for (const blank of ['', '   ', '\n\t ']) {
        const applied = await catalog.query(staffOp('ApplyForCertification'), { productId: target.id, evidence: blank }, partner);
        expect(codeOf(applied)).toBe('BAD_USER_INPUT');
        expect(applied.errors![0].extensions?.field).toBe('evidence');
        for (const response of [await reject(pending.id, 1, blank), await revoke(live.id, 2, blank)]) {
          expect(codeOf(response)).toBe('BAD_USER_INPUT');
          expect(response.errors![0].extensions?.field).toBe('reason');
          expect(response.errors![0].message).toMatch(/reason/);
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it('stores evidence, reasons and notes trimmed', async () => {
      const product = fresh();
      const application = await apply(product.id, '  \n Supplier registry extract, 2026.  \t');
      expect((await certificationRow(application.id)).evidence).toBe('Supplier registry extract, 2026.');
      const queue = await catalog.query<{ certifications: { edges: { node: { id: string; evidence: string } }[] } }>(
        staffOp('CertificationQueue'),
        { status: 'PENDING', first: 100 },
        certifier,
      );
      expect(queue.data!.certifications.edges.find((edge) => edge.node.id === application.id)?.node.evidence).toBe('Supplier registry extract, 2026.');
      await approved(application.id, 1);
      const other = await apply(fresh().id);
      expect((await approve(other.id, 1, inDays(200), '   checked on site   ')).errors).toBeUndefined();
      expect((await revoke(application.id, 2, '   moved out of the county  ')).errors).toBeUndefined();
      expect((await eventsOf(application.id)).map((event) => event.note)).toEqual([null, null, 'moved out of the county']);
      expect((await eventsOf(other.id)).map((event) => event.note)).toEqual([null, 'checked on site']);
    });
  });
});
