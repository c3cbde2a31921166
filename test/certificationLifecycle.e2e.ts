// The certification lifecycle end to end, on the embedded store and on
// PostgreSQL: PENDING -> APPROVED | REJECTED, APPROVED -> REVOKED, EXPIRED by
// time; optimistic locking on every transition; and the append-only history
// written in the same transaction.
import { codeOf, type GraphQLResponse } from './support/graphqlHttp';
import { inDays, latest, latestIs, STAFF_BACKENDS, staffOp, useStaffCatalog } from './support/staffCatalog';

describe.each(STAFF_BACKENDS)('certification lifecycle through the gateway on %s', (backend) => {
  const staff = useStaffCatalog(backend);
  const {
    catalog,
    certifier,
    otherCertifier,
    partner,
    peek,
    pick,
    fresh,
    onJd,
    freshOnJd,
    sql,
    snapshot,
    counts,
    certificationRow,
    eventsOf,
    rowsOfProduct,
    apply,
    approve,
    reject,
    revoke,
    history,
    approved,
    certifiedOnly,
    detail,
  } = staff;

  // -------------------------------------------------------------------------
  describe('lifecycle: PENDING -> APPROVED | REJECTED, APPROVED -> REVOKED, EXPIRED by time', () => {
    it('approves, revokes, lets the product apply again, and issues a new number on the next approval', async () => {
      const product = fresh();
      const application = await apply(product.id);
      expect(application).toMatchObject({ status: 'PENDING', version: 1 });
      const validUntil = inDays(400);
      const first = await approved(application.id, 1, validUntil);
      expect(first).toMatchObject({ id: application.id, status: 'APPROVED', version: 2, validUntil });
      expect(first.issuedBy).toBeTruthy();
      expect(Math.abs(Date.parse(first.validFrom) - Date.now())).toBeLessThan(60_000);
      expect(await certificationRow(application.id)).toMatchObject({ status: 'APPROVED', version: 2, certificate_number: first.certificateNumber });

      const revoked = await revoke(application.id, 2, 'Origin no longer matches the application.');
      expect(revoked.errors).toBeUndefined();
      expect(revoked.data!.revokeCertification).toMatchObject({ status: 'REVOKED', version: 3 });
      expect(await certificationRow(application.id)).toMatchObject({ status: 'REVOKED', version: 3, certificate_number: first.certificateNumber });

      const again = await apply(product.id);
      expect(again.id).not.toBe(application.id);
      expect(again).toMatchObject({ status: 'PENDING', version: 1 });
      const second = await approved(again.id, 1);
      expect(second.certificateNumber).not.toBe(first.certificateNumber);
      const rows = await rowsOfProduct(product.id);
      expect(rows.map((row) => [row.id, row.status])).toEqual([
        [application.id, 'REVOKED'],
        [again.id, 'APPROVED'],
      ]);
    });

    it('rejects a pending application, and the product may apply again', async () => {
      const product = fresh();
      const application = await apply(product.id);
      const rejected = await reject(application.id, 1, 'The recommendation letter has expired.');
      expect(rejected.errors).toBeUndefined();
      expect(rejected.data!.rejectCertification).toMatchObject({ status: 'REJECTED', version: 2 });
      expect(await certificationRow(application.id)).toMatchObject({ status: 'REJECTED', version: 2, certificate_number: null });
      expect((await eventsOf(application.id)).map(({ action, actor, note }) => ({ action, actor, note }))).toEqual([
        { action: 'APPLIED', actor: 'certifier-alice', note: null },
        { action: 'REJECTED', actor: 'certifier-alice', note: 'The recommendation letter has expired.' },
      ]);
      const again = await apply(product.id);
      expect(again.id).not.toBe(application.id);
      expect((await rowsOfProduct(product.id)).map((row) => row.status)).toEqual(['REJECTED', 'PENDING']);

      // And a demo product rejected long ago may apply again too.
      const rejectedDemo = pick('rejected, eligible', (p) => p.eligible && latestIs('REJECTED')(p));
      const reapplied = await apply(rejectedDemo.id);
      expect(reapplied.status).toBe('PENDING');
    });

    it('a product whose certificate was revoked may apply again', async () => {
      const revokedDemo = pick('revoked', latestIs('REVOKED'));
      const again = await apply(revokedDemo.id);
      expect(again).toMatchObject({ status: 'PENDING', product: { id: revokedDemo.id } });
      expect(await certificationRow(latest(revokedDemo).id)).toMatchObject({ status: 'REVOKED', version: latest(revokedDemo).version });
    });

    it('reads an approved certificate as EXPIRED once validUntil passes, with no job, and refuses to revoke it', async () => {
      const product = fresh();
      const application = await apply(product.id);
      const validUntil = new Date(Date.now() + 1500).toISOString();
      await approved(application.id, 1, validUntil);
      expect((await history(application.id)).data!.certification!.status).toBe('APPROVED');
      expect(await certifiedOnly()).toContain(product.id);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(validUntil) - Date.now()) + 150));
      // The partner catalog agrees at once.
      expect(await certifiedOnly()).not.toContain(product.id);
      expect(await detail(product.id)).toMatchObject({ reliefCertified: false, certification: { status: 'EXPIRED' } });
      const expired = await history(application.id);
      expect(expired.data!.certification).toMatchObject({ status: 'EXPIRED', version: 2 });
      // Nothing rewrote the row: the status is derived at read time.
      expect(await certificationRow(application.id)).toMatchObject({ status: 'APPROVED', version: 2 });
      const expiredQueue = await catalog.query<{ certifications: { edges: { node: { id: string } }[]; totalCount: number } }>(
        staffOp('CertificationQueue'),
        { status: 'EXPIRED', first: 100 },
        certifier,
      );
      expect(expiredQueue.data!.certifications.edges.map((edge) => edge.node.id)).toContain(application.id);
      const approvedQueue = await catalog.query<{ certifications: { edges: { node: { id: string } }[] } }>(
        staffOp('CertificationQueue'),
        { status: 'APPROVED', first: 100 },
        certifier,
      );
      expect(approvedQueue.data!.certifications.edges.map((edge) => edge.node.id)).not.toContain(application.id);

      const before = await snapshot();
      const refused = await revoke(application.id, 2, 'too late');
      expect(codeOf(refused)).toBe('CONFLICT');
      expect(await snapshot()).toEqual(before);
    });

    it('after a lapsed certificate the product applies again; the old one is stored as EXPIRED with a history event', async () => {
      const lapsed = pick('lapsed', latestIs('APPROVED', true));
      const old = latest(lapsed);
      expect((await history(old.id)).data!.certification!.status).toBe('EXPIRED');
      const eventsBefore = (await eventsOf(old.id)).length;
      const again = await apply(lapsed.id);
      expect(again.status).toBe('PENDING');
      expect(await certificationRow(old.id)).toMatchObject({ status: 'EXPIRED', version: old.version + 1 });
      const events = await eventsOf(old.id);
      expect(events).toHaveLength(eventsBefore + 1);
      expect(events[events.length - 1]).toMatchObject({ action: 'EXPIRED' });
      const oldHistory = await history(old.id);
      expect(oldHistory.data!.certification).toMatchObject({ status: 'EXPIRED', version: old.version + 1 });
    });

    it('allows at most one open certification per product: a second application gets CONFLICT and writes nothing', async () => {
      const pending = peek('pending on jd', onJd(latestIs('PENDING')));
      const approvedProduct = peek('approved on jd', onJd(latestIs('APPROVED')));
      const before = await snapshot();
      for (const product of [pending, approvedProduct]) {
        const second = await catalog.query(staffOp('ApplyForCertification'), { productId: product.id, evidence: 'a second application' }, certifier);
        expect(codeOf(second)).toBe('CONFLICT');
        const asPartner = await catalog.query(staffOp('ApplyForCertification'), { productId: product.id, evidence: 'a second application' }, partner);
        expect(codeOf(asPartner)).toBe('CONFLICT');
      }
      const unknown = await catalog.query(staffOp('ApplyForCertification'), { productId: 'prd_does_not_exist', evidence: 'x' }, certifier);
      expect(codeOf(unknown)).toBe('NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });

    it('enforces one open certification per product in the database (partial unique index)', async () => {
      const pending = peek('pending', latestIs('PENDING'));
      const approvedProduct = peek('approved', latestIs('APPROVED'));
      const before = await snapshot();
      await expect(
        sql(`INSERT INTO certification (id, product_id, status, evidence, version) VALUES ('cert_raw_1', $1, 'PENDING', 'raw', 1)`, [pending.id]),
      ).rejects.toThrow(/certification_one_open_per_product/);
      await expect(
        sql(
          `INSERT INTO certification (id, product_id, status, evidence, version, certificate_number, valid_from, valid_until)
           VALUES ('cert_raw_2', $1, 'APPROVED', 'raw', 1, 'FP-RAW-000000-000001', now(), now() + interval '1 year')`,
          [approvedProduct.id],
        ),
      ).rejects.toThrow(/certification_one_open_per_product/);
      await expect(
        sql(`INSERT INTO certification (id, product_id, status, evidence, version) VALUES ('cert_raw_3', $1, 'PENDING', 'raw', 1)`, [approvedProduct.id]),
      ).rejects.toThrow(/certification_one_open_per_product/);
      expect(await snapshot()).toEqual(before);
    });

    it('refuses illegal transitions and writes nothing', async () => {
      const pending = await apply(fresh().id);
      const rejectedApp = await apply(fresh().id);
      await reject(rejectedApp.id, 1, 'incomplete');
      const approvedApp = await apply(fresh().id);
      await approved(approvedApp.id, 1);
      const revokedApp = await apply(fresh().id);
      await approved(revokedApp.id, 1);
      await revoke(revokedApp.id, 2, 'revoked for the test');

      const before = await snapshot();
      const attempts: [string, GraphQLResponse<unknown>][] = [
        ['approve REJECTED', await approve(rejectedApp.id, 2)],
        ['revoke REJECTED', await revoke(rejectedApp.id, 2, 'x')],
        ['reject REJECTED', await reject(rejectedApp.id, 2, 'x')],
        ['revoke PENDING', await revoke(pending.id, 1, 'x')],
        ['reject APPROVED', await reject(approvedApp.id, 2, 'x')],
        ['approve APPROVED', await approve(approvedApp.id, 2)],
        ['approve REVOKED', await approve(revokedApp.id, 3)],
        ['reject REVOKED', await reject(revokedApp.id, 3, 'x')],
        ['revoke REVOKED', await revoke(revokedApp.id, 3, 'x')],
      ];
      for (const [what, response] of attempts) expect({ what, code: codeOf(response) }).toEqual({ what, code: 'CONFLICT' });
      expect(codeOf(await approve('cert_does_not_exist', 1))).toBe('NOT_FOUND');
      expect(codeOf(await revoke('cert_does_not_exist', 1, 'x'))).toBe('NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });
  });

  // -------------------------------------------------------------------------
  describe('optimistic locking: every mutation names the version it expects', () => {
    it('answers a stale expectedVersion with CONFLICT and writes nothing', async () => {
      const pending = await apply(fresh().id);
      const live = await apply(fresh().id);
      await approved(live.id, 1);
      const before = await snapshot();
      for (const response of [
        await approve(pending.id, 2),
        await approve(pending.id, 0),
        await reject(pending.id, 7, 'stale'),
        await revoke(live.id, 1, 'stale'),
      ]) {
        expect(codeOf(response)).toBe('CONFLICT');
      }
      expect(await snapshot()).toEqual(before);
    });

    it('lets exactly one of two staff approving the same certification at once succeed; the other gets CONFLICT', async () => {
      // Repeated, and also with six approvers at once, so the requests really overlap in the database.
      const product = fresh();
      for (const approvers of [2, 2, 2, 6, 6]) {
        const application = await apply(product.id);
        const before = await counts();
        const staff = Array.from({ length: approvers }, (_, i) => `certifier-${approvers}-${i}`);
        const responses = await Promise.all(staff.map((sub) => approve(application.id, 1, inDays(365), `${sub} approves`, catalog.token(sub, ['certifier']))));
        const outcomes = responses.map((response) => (response.errors ? codeOf(response) : response.data!.approveCertification.status));
        expect(outcomes.filter((outcome) => outcome === 'APPROVED')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome === 'CONFLICT')).toHaveLength(approvers - 1);
        const winner = outcomes.indexOf('APPROVED');
        expect(await certificationRow(application.id)).toMatchObject({
          status: 'APPROVED',
          version: 2,
          certificate_number: responses[winner].data!.approveCertification.certificateNumber,
        });
        const approvals = (await eventsOf(application.id)).filter((event) => event.action === 'APPROVED');
        expect(approvals.map((event) => event.actor)).toEqual([staff[winner]]);
        expect(await counts()).toEqual({ certifications: before.certifications, events: before.events + 1 });
        // Revoke, so the product can apply again for the next round.
        expect((await revoke(application.id, 2, 'next round')).errors).toBeUndefined();
      }
    });

    it('lets exactly one of two simultaneous applications for one product open', async () => {
      const product = freshOnJd();
      const before = await counts();
      const responses = await Promise.all([
        catalog.query(staffOp('ApplyForCertification'), { productId: product.id, evidence: 'first' }, certifier),
        catalog.query(staffOp('ApplyForCertification'), { productId: product.id, evidence: 'second' }, partner),
      ]);
      expect(responses.map((response) => (response.errors ? codeOf(response) : 'OPENED')).sort()).toEqual(['CONFLICT', 'OPENED']);
      expect((await rowsOfProduct(product.id)).map((row) => row.status)).toEqual(['PENDING']);
      expect(await counts()).toEqual({ certifications: before.certifications + 1, events: before.events + 1 });
    });
  });

  // -------------------------------------------------------------------------
  describe('history: one event per transition, in the same transaction, append-only', () => {
    it('records action, time, actor (the token subject) and note for every transition', async () => {
      const product = freshOnJd();
      const started = Date.now();
      const application = await apply(product.id, 'evidence', partner);
      await approved(application.id, 1);
      const approvedAt = await certificationRow(application.id);
      const revoked = await revoke(application.id, 2, 'Supplier closed.', otherCertifier);
      expect(revoked.errors).toBeUndefined();
      const response = await history(application.id);
      expect(response.errors).toBeUndefined();
      const { certification } = response.data!;
      expect(certification).toMatchObject({ id: application.id, status: 'REVOKED', version: 3 });
      expect(certification!.history.map(({ action, actor, note }) => ({ action, actor, note }))).toEqual([
        { action: 'APPLIED', actor: 'partner-jd', note: null },
        { action: 'APPROVED', actor: 'certifier-alice', note: null },
        { action: 'REVOKED', actor: 'certifier-bob', note: 'Supplier closed.' },
      ]);
      const times = certification!.history.map((event) => Date.parse(event.at));
      for (const time of times) expect(time).toBeGreaterThanOrEqual(started - 1000);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      // Each event carries the moment its transition wrote the row.
      const events = await eventsOf(application.id);
      expect(events[1].at.getTime()).toBe(new Date(approvedAt.updated_at).getTime());
      expect(events[2].at.getTime()).toBe(new Date((await certificationRow(application.id)).updated_at).getTime());
    });

    it('refuses UPDATE and DELETE on certification_event at the database', async () => {
      const before = await snapshot();
      const [someEvent] = await sql<{ id: string }>(`SELECT id::text AS id FROM certification_event ORDER BY id LIMIT 1`);
      await expect(sql(`UPDATE certification_event SET note = 'rewritten' WHERE id = $1`, [someEvent.id])).rejects.toThrow(/append-only/);
      await expect(sql(`UPDATE certification_event SET actor = 'nobody'`)).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM certification_event WHERE id = $1`, [someEvent.id])).rejects.toThrow(/append-only/);
      await expect(sql(`DELETE FROM certification_event`)).rejects.toThrow(/append-only/);
      await expect(sql(`TRUNCATE certification_event`)).rejects.toThrow(/append-only/);
      expect(await snapshot()).toEqual(before);
    });
  });
});
