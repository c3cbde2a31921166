// Bulk certification and the review queue end to end, on the embedded store
// and on PostgreSQL: certifyProducts tags each product on its own, the queue
// walks each status oldest first, and the partner catalog sees approvals and
// revocations on the very next request.
import { codeOf, type GraphQLResponse } from './support/graphqlHttp';
import { chinaYear, hasNoCertification, inDays, latestIs, STAFF_BACKENDS, staffOp, useStaffCatalog } from './support/staffCatalog';

describe.each(STAFF_BACKENDS)('bulk certification and the review queue through the gateway on %s', (backend) => {
  const staff = useStaffCatalog(backend);
  const { catalog, certifier, pick, fresh, sql, snapshot, counts, eventsOf, rowsOfProduct, apply, revoke, certifyProducts, approved, certifiedOnly, detail } =
    staff;

  // -------------------------------------------------------------------------
  describe('certifyProducts: bulk tagging, each product on its own', () => {
    it('certifies the eligible ones and reports the rest as INELIGIBLE, NOT_FOUND or CONFLICT, untouched', async () => {
      const eligible = [fresh(), fresh(), fresh()];
      const ineligible = [
        pick('ineligible', (p) => !p.eligible && hasNoCertification(p)),
        pick('ineligible, rejected', (p) => !p.eligible && latestIs('REJECTED')(p)),
      ];
      const certified = pick('approved', latestIs('APPROVED'));
      const pending = pick('pending', latestIs('PENDING'));
      const unknown = 'prd_does_not_exist';
      const untouched = [...ineligible, certified, pending];
      const rowsBefore = await Promise.all(untouched.map((product) => rowsOfProduct(product.id)));
      const before = await counts();

      const ids = [eligible[0].id, ineligible[0].id, unknown, eligible[1].id, certified.id, ineligible[1].id, pending.id, eligible[2].id];
      const response = await certifyProducts(ids, inDays(500), '  bulk tagging for the autumn campaign ');
      expect(response.errors).toBeUndefined();
      const result = response.data!.certifyProducts;

      expect(result.certified.map((c) => c.product.id).sort()).toEqual(eligible.map((p) => p.id).sort());
      for (const certificate of result.certified) {
        expect(certificate.status).toBe('APPROVED');
        expect(certificate.product.reliefCertified).toBe(true);
        const origin = eligible.find((p) => p.id === certificate.product.id)!.origin;
        expect(certificate.certificateNumber).toMatch(new RegExp(`^FP-${chinaYear()}-${origin}-\\d{6}$`));
        const events = await eventsOf(certificate.id);
        expect(events.map(({ action, actor, note }) => ({ action, actor, note }))).toEqual([
          { action: 'APPROVED', actor: 'certifier-alice', note: 'bulk tagging for the autumn campaign' },
        ]);
      }
      expect(new Set(result.certified.map((c) => c.certificateNumber)).size).toBe(3);

      expect([...result.failed].sort((a, b) => a.productId.localeCompare(b.productId))).toEqual(
        [
          { productId: ineligible[0].id, code: 'INELIGIBLE', message: expect.any(String) },
          { productId: ineligible[1].id, code: 'INELIGIBLE', message: expect.any(String) },
          { productId: unknown, code: 'NOT_FOUND', message: expect.any(String) },
          { productId: certified.id, code: 'CONFLICT', message: expect.any(String) },
          { productId: pending.id, code: 'CONFLICT', message: expect.any(String) },
        ].sort((a, b) => a.productId.localeCompare(b.productId)),
      );
      expect(await Promise.all(untouched.map((product) => rowsOfProduct(product.id)))).toEqual(rowsBefore);
      expect(await rowsOfProduct(unknown)).toEqual([]);
      expect(await counts()).toEqual({ certifications: before.certifications + 3, events: before.events + 3 });
    });

    it('certifies a product whose certificate lapsed, storing the old one as EXPIRED', async () => {
      const product = fresh();
      const validUntil = new Date(Date.now() + 1200).toISOString();
      const [short] = (await certifyProducts([product.id], validUntil)).data!.certifyProducts.certified;
      expect(short.status).toBe('APPROVED');
      const stillValid = await certifyProducts([product.id]);
      expect(stillValid.data!.certifyProducts.failed).toEqual([{ productId: product.id, code: 'CONFLICT', message: expect.any(String) }]);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(validUntil) - Date.now()) + 150));
      const renewed = await certifyProducts([product.id]);
      expect(renewed.data!.certifyProducts.failed).toEqual([]);
      const [certificate] = renewed.data!.certifyProducts.certified;
      expect(certificate.certificateNumber).not.toBe(short.certificateNumber);
      expect((await rowsOfProduct(product.id)).map((row) => [row.id, row.status])).toEqual([
        [short.id, 'EXPIRED'],
        [certificate.id, 'APPROVED'],
      ]);
      expect((await eventsOf(short.id)).map((event) => event.action)).toEqual(['APPROVED', 'EXPIRED']);
    });

    it('refuses more than 500 ids with BAD_USER_INPUT and writes nothing; 500 is allowed', async () => {
      const eligible = [fresh(), fresh()];
      const filler = (n: number) => Array.from({ length: n }, (_, i) => `prd_missing_${i}`);
      const before = await snapshot();
      const tooMany = await certifyProducts([...eligible.map((p) => p.id), ...filler(499)]);
      expect(codeOf(tooMany)).toBe('BAD_USER_INPUT');
      expect(tooMany.errors![0].message).toMatch(/productIds/);
      expect(tooMany.errors![0].extensions?.field).toBe('productIds');
      expect(await snapshot()).toEqual(before);

      const limit = await certifyProducts([...eligible.map((p) => p.id), ...filler(498)]);
      expect(limit.errors).toBeUndefined();
      expect(limit.data!.certifyProducts.certified).toHaveLength(2);
      expect(limit.data!.certifyProducts.failed).toHaveLength(498);
      expect(limit.data!.certifyProducts.failed.every((failure) => failure.code === 'NOT_FOUND')).toBe(true);
    }, 60_000);
  });

  // -------------------------------------------------------------------------
  describe('the review queue (CertificationQueue)', () => {
    it('walks every certification of a status page by page, oldest first, each exactly once', async () => {
      for (const status of ['PENDING', 'APPROVED', 'REJECTED', 'REVOKED', 'EXPIRED']) {
        const seen: string[] = [];
        let after: string | null = null;
        let totalCount = -1;
        for (let guard = 0; guard < 100; guard += 1) {
          const response: GraphQLResponse<{
            certifications: {
              totalCount: number;
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
              edges: { node: { id: string; status: string } }[];
            };
          }> = await catalog.query(staffOp('CertificationQueue'), { status, first: 5, after }, certifier);
          expect(response.errors).toBeUndefined();
          const page = response.data!.certifications;
          totalCount = page.totalCount;
          for (const { node } of page.edges) expect(node.status).toBe(status);
          seen.push(...page.edges.map((edge) => edge.node.id));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(totalCount);
        // Oldest first, as the stored rows say (ties, e.g. one bulk call, are broken by id in the database's collation).
        const rows = await sql<{ id: string; created_at: Date }>(`SELECT id, created_at FROM certification WHERE id = ANY($1::text[])`, [seen]);
        const createdAt = new Map(rows.map((row) => [row.id, new Date(row.created_at).getTime()]));
        const times = seen.map((id) => createdAt.get(id)!);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }
      for (const first of [0, 101]) {
        const response = await catalog.query(staffOp('CertificationQueue'), { status: 'PENDING', first }, certifier);
        expect(codeOf(response)).toBe('BAD_USER_INPUT');
      }
    });
  });

  // -------------------------------------------------------------------------
  describe('the partner catalog sees approvals and revocations on the very next request', () => {
    it('approval adds the product to certifiedOnly and sets reliefCertified; revocation removes it', async () => {
      const product = fresh();
      const application = await apply(product.id);
      expect(await certifiedOnly()).not.toContain(product.id);
      const certificate = await approved(application.id, 1);
      expect(await certifiedOnly()).toContain(product.id);
      expect(await detail(product.id)).toMatchObject({
        reliefCertified: true,
        certification: { status: 'APPROVED', certificateNumber: certificate.certificateNumber },
      });
      expect((await revoke(application.id, 2, 'withdrawn')).errors).toBeUndefined();
      expect(await certifiedOnly()).not.toContain(product.id);
      expect(await detail(product.id)).toMatchObject({ reliefCertified: false, certification: { status: 'REVOKED' } });

      const bulk = fresh();
      await certifyProducts([bulk.id]);
      expect(await certifiedOnly()).toContain(bulk.id);
    });
  });
});
