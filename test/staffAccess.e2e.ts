// Who may do what on the staff side, end to end through the real gateway and
// subgraphs on loopback ports, on the embedded store and on PostgreSQL: the
// gateway verifies the bearer token, resolvers check roles, the public sees
// certificates only, subgraphs answer only requests signed by the gateway,
// and `npm run token` prints a token the gateway accepts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { IDENTITY_HEADER, signIdentity, subgraphSecret, DEV_AUTH_SECRET, type Identity } from '../common/identity';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';
import { codeOf, post } from './support/graphqlHttp';
import { hasNoCertification, inDays, latest, latestIs, nothingAnswered, partnerOp, STAFF_BACKENDS, staffOp, useStaffCatalog } from './support/staffCatalog';

const REPO_ROOT = join(__dirname, '..');

describe.each(STAFF_BACKENDS)('staff access through the gateway on %s', (backend) => {
  const staff = useStaffCatalog(backend);
  const { catalog, certifier, partner, peek, pick, neverCertified, freshOnJd, sql, snapshot, counts, eventsOf, apply, history } = staff;

  // -------------------------------------------------------------------------
  describe('identity: the gateway verifies the bearer token, resolvers check roles', () => {
    it('lets a certifier run every staff query, with evidence and history', async () => {
      const queue = await catalog.query<{
        certifications: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { id: string; status: string; evidence: string; product: { id: string; reliefEligibility: { eligible: boolean } } } }[];
        };
      }>(staffOp('CertificationQueue'), { status: 'PENDING', first: 100 }, certifier);
      expect(queue.errors).toBeUndefined();
      const [{ pending }] = await sql<{ pending: number }>(`SELECT count(*)::int AS pending FROM certification WHERE status = 'PENDING'`);
      expect(queue.data!.certifications.totalCount).toBe(pending);
      expect(pending).toBeGreaterThan(0);
      for (const { node } of queue.data!.certifications.edges) {
        expect(node.status).toBe('PENDING');
        expect(node.evidence.length).toBeGreaterThan(0);
        expect(typeof node.product.reliefEligibility.eligible).toBe('boolean');
      }
      const first = queue.data!.certifications.edges[0].node;
      const detail = await history(first.id);
      expect(detail.errors).toBeUndefined();
      expect(detail.data!.certification!.history[0]).toMatchObject({ action: 'APPLIED' });
      expect((await history('cert_does_not_exist')).data!.certification).toBeNull();
    });

    it('answers every staff operation with UNAUTHENTICATED for anonymous callers and writes nothing', async () => {
      const pending = peek('pending', latestIs('PENDING'));
      const approvedProduct = peek('approved', latestIs('APPROVED'));
      const target = peek('never certified', neverCertified);
      const before = await snapshot();
      const attempts = await Promise.all([
        catalog.query(staffOp('CertificationQueue'), { status: 'PENDING', first: 10 }),
        catalog.query(staffOp('CertificationHistory'), { id: latest(pending).id }),
        catalog.query(staffOp('ApplyForCertification'), { productId: target.id, evidence: 'anonymous evidence' }),
        catalog.query(staffOp('ApproveCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, validUntil: inDays(300) }),
        catalog.query(staffOp('RejectCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, reason: 'no' }),
        catalog.query(staffOp('RevokeCertification'), { id: latest(approvedProduct).id, expectedVersion: latest(approvedProduct).version, reason: 'no' }),
        catalog.query(staffOp('CertifyProducts'), { productIds: [target.id], validUntil: inDays(300) }),
      ]);
      for (const response of attempts) {
        expect(codeOf(response)).toBe('UNAUTHENTICATED');
        expect(nothingAnswered(response)).toBe(true);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a bad, expired, wrongly signed or subject-less token with UNAUTHENTICATED on any request and writes nothing', async () => {
      const pending = peek('pending', latestIs('PENDING'));
      const target = peek('never certified', neverCertified);
      const now = Math.floor(Date.now() / 1000);
      const badTokens: Record<string, string> = {
        garbage: 'not-a-jwt',
        expired: jwt.sign({ roles: ['certifier'], iat: now - 7200, exp: now - 3600 }, DEV_AUTH_SECRET, { algorithm: 'HS256', subject: 'alice' }),
        wrongSecret: jwt.sign({ roles: ['certifier'] }, 'some-other-secret-that-is-long-enough-to-be-real', {
          algorithm: 'HS256',
          subject: 'alice',
          expiresIn: 600,
        }),
        noSubject: jwt.sign({ roles: ['certifier'] }, DEV_AUTH_SECRET, { algorithm: 'HS256', expiresIn: 600 }),
        unsigned: jwt.sign({ roles: ['certifier'], sub: 'alice' }, '', { algorithm: 'none' }),
        tampered: (() => {
          // A partner token whose payload was edited to claim the certifier role.
          const [header, , signature] = catalog.token('mallory', ['partner'], { platform: 'jd' }).split('.');
          const payload = Buffer.from(JSON.stringify({ sub: 'mallory', roles: ['certifier'], exp: now + 600 })).toString('base64url');
          return `${header}.${payload}.${signature}`;
        })(),
      };
      const before = await snapshot();
      for (const [kind, token] of Object.entries(badTokens)) {
        for (const [query, variables] of [
          [staffOp('CertificationQueue'), { status: 'PENDING', first: 10 }],
          [staffOp('ApplyForCertification'), { productId: target.id, evidence: 'evidence' }],
          [staffOp('ApproveCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, validUntil: inDays(300) }],
          [staffOp('CertifyProducts'), { productIds: [target.id], validUntil: inDays(300) }],
          // A bad token is not silently downgraded to anonymous, even for the public catalog.
          [partnerOp('ProductDetail'), { id: target.id }],
        ] as const) {
          const response = await catalog.query(query, variables, token);
          expect({ kind, code: codeOf(response) }).toEqual({ kind, code: 'UNAUTHENTICATED' });
          expect(response.status).toBe(401);
        }
      }
      const basic = await post(
        catalog.gatewayUrl,
        { query: staffOp('CertifyProducts'), variables: { productIds: [target.id], validUntil: inDays(300) } },
        { authorization: 'Basic YWxpY2U6c2VjcmV0' },
      );
      expect(codeOf(basic)).toBe('UNAUTHENTICATED');
      expect(await snapshot()).toEqual(before);
    });

    it('answers FORBIDDEN to a valid token without the role, lets partners apply, and writes nothing else', async () => {
      const pending = peek('pending', latestIs('PENDING'));
      const approvedProduct = peek('approved', latestIs('APPROVED'));
      const target = freshOnJd();
      const noRoles = catalog.token('visitor', []);
      const before = await snapshot();
      for (const token of [partner, noRoles]) {
        for (const [query, variables] of [
          [staffOp('CertificationQueue'), { status: 'PENDING', first: 10 }],
          [staffOp('CertificationHistory'), { id: latest(pending).id }],
          [staffOp('ApproveCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, validUntil: inDays(300) }],
          [staffOp('RejectCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, reason: 'no' }],
          [staffOp('RevokeCertification'), { id: latest(approvedProduct).id, expectedVersion: latest(approvedProduct).version, reason: 'no' }],
          [staffOp('CertifyProducts'), { productIds: [target.id], validUntil: inDays(300) }],
        ] as const) {
          const response = await catalog.query(query, variables, token);
          expect(codeOf(response)).toBe('FORBIDDEN');
          expect(nothingAnswered(response)).toBe(true);
        }
      }
      // applyForCertification needs partner or certifier: a token with neither role is refused.
      const noRoleApply = await catalog.query(staffOp('ApplyForCertification'), { productId: target.id, evidence: 'evidence' }, noRoles);
      expect(codeOf(noRoleApply)).toBe('FORBIDDEN');
      expect(await snapshot()).toEqual(before);

      // A partner may apply; the history names the partner token's subject.
      const application = await apply(target.id, 'Platform-verified supplier documents.', partner);
      expect(application).toMatchObject({ status: 'PENDING', version: 1, product: { id: target.id } });
      expect(await counts()).toEqual({ certifications: (before.certifications as unknown[]).length + 1, events: (before.events as unknown[]).length + 1 });
      expect((await eventsOf(application.id)).map((event) => [event.action, event.actor])).toEqual([['APPLIED', 'partner-jd']]);
    });

    it('lets a partner apply only for products listed on its own platform (FORBIDDEN otherwise, nothing written)', async () => {
      // Applying needs no eligibility (approving does): an ineligible product leaves the eligible ones to the other tests.
      const elsewhere = pick(
        'ineligible, never certified, listed but not on jd',
        (p) => !p.eligible && hasNoCertification(p) && p.platforms.length > 0 && !p.platforms.includes('jd'),
      );
      const before = await snapshot();
      const squatting = await catalog.query(staffOp('ApplyForCertification'), { productId: elsewhere.id, evidence: 'a place in the queue' }, partner);
      expect(codeOf(squatting)).toBe('FORBIDDEN');
      expect(squatting.errors![0].message).toContain(`not listed on jd`);
      expect(nothingAnswered(squatting)).toBe(true);
      // A partner token without a platform lists nothing.
      const noPlatform = catalog.token('partner-nowhere', ['partner']);
      expect(codeOf(await catalog.query(staffOp('ApplyForCertification'), { productId: elsewhere.id, evidence: 'x' }, noPlatform))).toBe('FORBIDDEN');
      expect(await snapshot()).toEqual(before);
      // The partner of a platform that lists it may apply, so the place is free for it.
      const lister = catalog.token('partner-lister', ['partner'], { platform: elsewhere.platforms[0] });
      expect(await apply(elsewhere.id, 'Listed on our platform.', lister)).toMatchObject({ status: 'PENDING', product: { id: elsewhere.id } });
    });

    it('shows the public the current certificate only; PENDING/REJECTED applications, evidence and history only to certifiers', async () => {
      const revokedThenPending = pick('revoked, then applied again', (p) => latestIs('PENDING')(p) && p.certifications.some((c) => c.status === 'REVOKED'));
      const rejectedOnly = pick('rejected only', (p) => p.certifications.length > 0 && p.certifications.every((c) => c.status === 'REJECTED'));
      const pendingOnly = pick('pending only', (p) => p.certifications.length === 1 && latestIs('PENDING')(p));
      const lapsed = peek('lapsed', latestIs('APPROVED', true));
      const certification = `query P($id: ID!) { product(id: $id) { id certification { id status } } }`;
      const view = async (productId: string, token?: string) => {
        const response = await catalog.query<{ product: { certification: { id: string; status: string } | null } }>(certification, { id: productId }, token);
        expect(response.errors).toBeUndefined();
        return response.data!.product.certification;
      };
      const revokedCertificate = revokedThenPending.certifications.find((c) => c.status === 'REVOKED')!;
      for (const token of [undefined, partner]) {
        expect(await view(revokedThenPending.id, token)).toEqual({ id: revokedCertificate.id, status: 'REVOKED' });
        expect(await view(rejectedOnly.id, token)).toBeNull();
        expect(await view(pendingOnly.id, token)).toBeNull();
        expect(await view(lapsed.id, token)).toEqual({ id: latest(lapsed).id, status: 'EXPIRED' });
      }
      expect(await view(revokedThenPending.id, certifier)).toEqual({ id: latest(revokedThenPending).id, status: 'PENDING' });
      expect(await view(rejectedOnly.id, certifier)).toEqual({ id: latest(rejectedOnly).id, status: 'REJECTED' });
      expect(await view(pendingOnly.id, certifier)).toEqual({ id: latest(pendingOnly).id, status: 'PENDING' });

      // Staff-only fields on a public certificate, asked one at a time (a refused non-null
      // `history` would otherwise null the whole certification and hide a leaked `evidence`).
      const evidence = `query S($id: ID!) { product(id: $id) { certification { id status evidence } } }`;
      const events = `query S($id: ID!) { product(id: $id) { certification { id status history { action actor } } } }`;
      for (const [token, code] of [
        [undefined, 'UNAUTHENTICATED'],
        [partner, 'FORBIDDEN'],
      ] as const) {
        const shownEvidence = await catalog.query<{ product: { certification: { id: string; evidence: string | null } } }>(
          evidence,
          { id: revokedThenPending.id },
          token,
        );
        expect(shownEvidence.errors?.map((error) => [error.extensions?.code, error.path?.join('.')])).toEqual([[code, 'product.certification.evidence']]);
        expect(shownEvidence.data!.product.certification).toEqual({ id: revokedCertificate.id, status: 'REVOKED', evidence: null });
        const shownHistory = await catalog.query(events, { id: revokedThenPending.id }, token);
        expect(shownHistory.errors?.map((error) => error.extensions?.code)).toEqual([code]);
        expect(JSON.stringify(shownHistory.data ?? null)).not.toMatch(/APPLIED|reviewer/);
      }
      const asStaff = await catalog.query<{ product: { certification: { evidence: string; history: { action: string }[] } } }>(
        `query S($id: ID!) { product(id: $id) { certification { id status evidence history { action } } } }`,
        { id: revokedThenPending.id },
        certifier,
      );
      expect(asStaff.errors).toBeUndefined();
      expect(asStaff.data!.product.certification.evidence.length).toBeGreaterThan(0);
      expect(asStaff.data!.product.certification.history[0].action).toBe('APPLIED');
    });
  });

  // -------------------------------------------------------------------------
  describe('subgraphs answer only requests that come through the gateway', () => {
    const entities = `query E($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id reliefCertified certification { id status evidence } } } }`;

    it('refuses _entities and mutations without the identity header or with a forged one (401, UNAUTHENTICATED), and writes nothing', async () => {
      const pending = peek('pending', latestIs('PENDING'));
      const target = peek('never certified', neverCertified);
      const url = catalog.subgraphs.certification.url;
      const certifierIdentity: Identity = { sub: 'mallory', roles: ['certifier'], platform: null, authenticated: true, service: false };
      const forged: Record<string, Record<string, string>> = {
        none: {},
        wrongSecret: { [IDENTITY_HEADER]: signIdentity(certifierIdentity, 'a-wrong-subgraph-secret-of-sufficient-length', 'certification') },
        // Signed by the gateway's secret, but for another subgraph: a header captured there is useless here.
        otherAudience: { [IDENTITY_HEADER]: signIdentity(certifierIdentity, subgraphSecret(DEVELOPMENT_ENV), 'products') },
        withoutExpiry: {
          [IDENTITY_HEADER]: jwt.sign(
            { roles: ['certifier'], platform: null, authenticated: true, service: false, iat: Math.floor(Date.now() / 1000) },
            subgraphSecret(DEVELOPMENT_ENV),
            { algorithm: 'HS256', subject: 'mallory', issuer: 'relief-goods-graph/gateway', audience: 'certification' },
          ),
        },
        // The caller's own gateway token is not an identity header.
        bearerAsIdentity: { [IDENTITY_HEADER]: catalog.token('mallory', ['certifier']) },
        expired: {
          [IDENTITY_HEADER]: jwt.sign(
            {
              roles: ['certifier'],
              platform: null,
              authenticated: true,
              service: false,
              iat: Math.floor(Date.now() / 1000) - 600,
              exp: Math.floor(Date.now() / 1000) - 300,
            },
            subgraphSecret(DEVELOPMENT_ENV),
            { algorithm: 'HS256', subject: 'mallory', issuer: 'relief-goods-graph/gateway', audience: 'certification' },
          ),
        },
        bearerOnly: { authorization: `Bearer ${certifier}` },
      };
      const mutations: [string, Record<string, unknown>][] = [
        [staffOp('ApproveCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, validUntil: inDays(300) }],
        [staffOp('RejectCertification'), { id: latest(pending).id, expectedVersion: latest(pending).version, reason: 'bypass' }],
        [staffOp('ApplyForCertification'), { productId: target.id, evidence: 'bypass' }],
        [staffOp('CertifyProducts'), { productIds: [target.id], validUntil: inDays(300) }],
      ];
      const before = await snapshot();
      for (const [kind, headers] of Object.entries(forged)) {
        for (const [query, variables] of [[entities, { representations: [{ __typename: 'Product', id: pending.id }] }] as const, ...mutations]) {
          const response = await post(url, { query, variables }, headers);
          expect({ kind, status: response.status, code: codeOf(response) }).toEqual({ kind, status: 401, code: 'UNAUTHENTICATED' });
          expect(response.data).toBeUndefined();
        }
      }
      // GET requests too (Apollo Server answers queries over GET).
      const viaGet = await fetch(`${url}?query=${encodeURIComponent('{ certification(id: "cert_001") { id evidence } }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(viaGet.status).toBe(401);
      expect(JSON.stringify(await viaGet.json())).not.toMatch(/evidence"\s*:\s*"/);
      expect(await snapshot()).toEqual(before);
      // The products and suppliers subgraphs refuse such requests too.
      for (const name of ['products', 'suppliers'] as const) {
        const representations = name === 'products' ? [{ __typename: 'Product', id: pending.id }] : [{ __typename: 'Supplier', id: 'sup_001' }];
        const query = `query E($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }`;
        // A header signed for certification (forged.otherAudience is for products) is refused by the others.
        const forCertification = { [IDENTITY_HEADER]: signIdentity(certifierIdentity, subgraphSecret(DEVELOPMENT_ENV), 'certification') };
        for (const headers of [forged.none, forged.wrongSecret, forCertification]) {
          const response = await post(catalog.subgraphs[name].url, { query, variables: { representations } }, headers);
          expect({ name, status: response.status, code: codeOf(response) }).toEqual({ name, status: 401, code: 'UNAUTHENTICATED' });
        }
        const signed = await post(
          catalog.subgraphs[name].url,
          { query, variables: { representations } },
          { [IDENTITY_HEADER]: signIdentity(certifierIdentity, subgraphSecret(DEVELOPMENT_ENV), name) },
        );
        expect(signed.status).toBe(200);
        expect(signed.data).toEqual({ _entities: [{ __typename: name === 'products' ? 'Product' : 'Supplier' }] });
      }

      // Control: the same requests with a header signed by the gateway's secret do reach the resolvers.
      const signed = { [IDENTITY_HEADER]: signIdentity({ ...certifierIdentity, sub: 'gateway-signed' }, subgraphSecret(DEVELOPMENT_ENV), 'certification') };
      const ok = await post(url, { query: entities, variables: { representations: [{ __typename: 'Product', id: pending.id }] } }, signed);
      expect(ok.status).toBe(200);
      expect(ok.data).toEqual({
        _entities: [{ id: pending.id, reliefCertified: false, certification: { id: latest(pending).id, status: 'PENDING', evidence: expect.any(String) } }],
      });
      const stale = await post(
        url,
        {
          query: staffOp('ApproveCertification'),
          variables: { id: latest(pending).id, expectedVersion: latest(pending).version + 5, validUntil: inDays(300) },
        },
        signed,
      );
      expect(codeOf(stale)).toBe('CONFLICT');
      expect(await snapshot()).toEqual(before);
    });
  });

  // -------------------------------------------------------------------------
  describe('tokens from npm run token', () => {
    it('prints only a token, which the gateway accepts', async () => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development' };
      delete env.AUTH_SECRET;
      delete env.AUTH_PUBLIC_KEY_PATH;
      const output = execFileSync('npm', ['run', '--silent', 'token', '--', '--sub', 'alice', '--role', 'certifier'], {
        cwd: REPO_ROOT,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(output).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n?$/);
      const token = output.trim();
      expect(jwt.decode(token)).toMatchObject({ sub: 'alice', roles: ['certifier'] });
      const queue = await catalog.query<{ certifications: { totalCount: number } }>(staffOp('CertificationQueue'), { status: 'APPROVED', first: 1 }, token);
      expect(queue.errors).toBeUndefined();
      expect(queue.data!.certifications.totalCount).toBeGreaterThan(0);
    }, 60_000);
  });
});
