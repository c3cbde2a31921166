// The staff contract end to end: certification review, bulk tagging, identity
// and roles, through the real gateway and subgraphs on loopback ports, on the
// embedded store and on PostgreSQL. The staff operations are the contract's
// own documents from ../shared/contract/staff-operations.graphql; the raw SQL
// access to the certification store checks what was (and was not) written.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { demoCatalog } from '../demo/demoCatalog';
import { IDENTITY_HEADER, signIdentity, subgraphSecret, type Identity } from '../common/identity';
import { DEV_AUTH_SECRET } from '../common/identity';
import { defaultContractDir, readContractOperations } from '../gateway/contractDocuments';
import { startCatalog, type Backend, type Catalog } from './support/catalogHarness';
import { codeOf, post as postTo, type GraphQLResponse } from './support/graphqlHttp';
import { DEVELOPMENT_ENV } from './support/developmentSecrets';

const REPO_ROOT = join(__dirname, '..');
const BACKENDS = (process.env.TEST_BACKENDS ?? 'pglite,postgres').split(',') as Backend[];

function operations(file: string): Map<string, string> {
  return new Map(
    readContractOperations(defaultContractDir())
      .filter((operation) => operation.file === file)
      .map((operation) => [operation.name, operation.query]),
  );
}
const STAFF = operations('staff-operations.graphql');
const PARTNER = operations('partner-operations.graphql');
function staffOp(name: string): string {
  const query = STAFF.get(name);
  if (!query) throw new Error(`contract operation ${name} not found in staff-operations.graphql`);
  return query;
}
function partnerOp(name: string): string {
  const query = PARTNER.get(name);
  if (!query) throw new Error(`contract operation ${name} not found in partner-operations.graphql`);
  return query;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();
/** Certificates carry the calendar year in China (UTC+8). */
const chinaYear = () => new Date(Date.now() + 8 * HOUR).getUTCFullYear();

/** No data at all, or only nulls at the top level (a refused nullable field such as `certification`). */
const nothingAnswered = (response: GraphQLResponse<unknown>) =>
  response.data === undefined || response.data === null || Object.values(response.data as object).every((value) => value === null);

// ---------------------------------------------------------------------------
// Demo data: which products are in which state, computed from the demo catalog
// itself so the picks stay right if the demo is edited.
// ---------------------------------------------------------------------------
interface DemoCertification {
  id: string;
  status: string;
  version: number;
  lapsed: boolean;
  certificateNumber: string | null;
}
interface DemoProduct {
  id: string;
  origin: string;
  eligible: boolean;
  /** Codes of the platforms that list it. */
  platforms: string[];
  /** Newest first. */
  certifications: DemoCertification[];
}

function demoProducts(now: Date): DemoProduct[] {
  const demo = demoCatalog(now);
  const regions = new Map(demo.regions.map((region) => [region.code, region]));
  const suppliers = new Map(demo.suppliers.map((supplier) => [supplier.id, supplier]));
  return demo.products.map((product) => {
    const supplier = suppliers.get(product.supplierId)!;
    const region = regions.get(supplier.regionCode)!;
    const certifications = demo.certifications
      .filter((certification) => certification.productId === product.id)
      .sort((a, b) => new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime())
      .map((certification) => ({
        id: certification.id,
        status: certification.status,
        version: certification.version ?? 1,
        certificateNumber: certification.certificateNumber ?? null,
        lapsed: certification.status === 'APPROVED' && new Date(certification.validUntil!).getTime() <= now.getTime(),
      }));
    return {
      id: product.id!,
      origin: product.originRegionCode,
      eligible: region.designatedPovertyCounty === true || (supplier.beneficiaryHouseholds ?? 0) > 0,
      platforms: [...new Set(demo.listings.filter((listing) => listing.productId === product.id).map((listing) => listing.platformCode))],
      certifications,
    };
  });
}

const latest = (product: DemoProduct) => product.certifications[0];
const hasNoCertification = (product: DemoProduct) => product.certifications.length === 0;
const latestIs =
  (status: string, lapsed = false) =>
  (product: DemoProduct) =>
    latest(product)?.status === status && latest(product).lapsed === lapsed;

interface CertificationRow {
  id: string;
  product_id: string;
  status: string;
  certificate_number: string | null;
  evidence: string;
  version: number;
  updated_at: Date;
}
interface EventRow {
  id: string;
  certification_id: string;
  action: string;
  at: Date;
  actor: string;
  note: string | null;
}

interface Snapshot {
  certifications: unknown[];
  events: unknown[];
  sequences: unknown[];
}

type Cert = { id: string; status: string; version: number; certificateNumber?: string | null };

describe.each(BACKENDS)('staff operations through the gateway on %s', (backend) => {
  let catalog: Catalog;
  let certifier: string;
  let otherCertifier: string;
  let partner: string;
  const products = demoProducts(new Date());
  const used = new Set<string>();
  /** The first demo product no test has claimed yet, without claiming it: for requests that must be refused and change nothing. */
  function peek(what: string, predicate: (product: DemoProduct) => boolean): DemoProduct {
    const found = products.find((product) => !used.has(product.id) && predicate(product));
    if (!found) throw new Error(`the demo catalog has no (more) products that are ${what}`);
    return found;
  }
  /** Claims a demo product for one test, so tests that write never see each other's writes. */
  function pick(what: string, predicate: (product: DemoProduct) => boolean): DemoProduct {
    const found = peek(what, predicate);
    used.add(found.id);
    return found;
  }
  const neverCertified = (p: DemoProduct) => p.eligible && hasNoCertification(p);
  const fresh = () => pick('eligible and never certified', neverCertified);
  // The partner's token is for jd: it may apply only for products jd lists.
  const onJd = (predicate: (product: DemoProduct) => boolean) => (p: DemoProduct) => predicate(p) && p.platforms.includes('jd');
  const freshOnJd = () => pick('eligible, never certified and listed on jd', onJd(neverCertified));

  beforeAll(async () => {
    catalog = await startCatalog({ backend });
    certifier = catalog.token('certifier-alice', ['certifier']);
    otherCertifier = catalog.token('certifier-bob', ['certifier']);
    partner = catalog.token('partner-jd', ['partner'], { platform: 'jd' });
  }, 120_000);
  afterAll(async () => {
    await catalog?.close();
  });

  const sql = <Row>(text: string, params: unknown[] = []) => catalog.stores.certification.sql.query<Row>(text, params);

  /** Every row of the certification tables (event ids as text: PGlite returns BIGINT as bigint). */
  async function snapshot(): Promise<Snapshot> {
    return {
      certifications: await sql(`SELECT * FROM certification ORDER BY id`),
      events: await sql(`SELECT id::text AS id, certification_id, action, at, actor, note FROM certification_event ORDER BY id`),
      sequences: await sql(`SELECT * FROM certificate_sequence ORDER BY year, region_code`),
    };
  }
  async function counts() {
    const [row] = await sql<{ certifications: number; events: number }>(
      `SELECT (SELECT count(*) FROM certification)::int AS certifications, (SELECT count(*) FROM certification_event)::int AS events`,
    );
    return row;
  }
  const certificationRow = async (id: string) => (await sql<CertificationRow>(`SELECT * FROM certification WHERE id = $1`, [id]))[0];
  const eventsOf = (id: string) =>
    sql<EventRow>(`SELECT id::text AS id, certification_id, action, at, actor, note FROM certification_event WHERE certification_id = $1 ORDER BY id`, [id]);
  const rowsOfProduct = (productId: string) => sql<CertificationRow>(`SELECT * FROM certification WHERE product_id = $1 ORDER BY created_at, id`, [productId]);

  async function apply(productId: string, evidence = 'County recommendation letter; beneficiary household list.', token = certifier) {
    const response = await catalog.query<{ applyForCertification: Cert & { product: { id: string } } }>(
      staffOp('ApplyForCertification'),
      { productId, evidence },
      token,
    );
    expect(response.errors).toBeUndefined();
    return response.data!.applyForCertification;
  }
  const approve = (id: string, expectedVersion: number, validUntil = inDays(365), note: string | null = null, token = certifier) =>
    catalog.query<{ approveCertification: Cert & { issuedBy: string; validFrom: string; validUntil: string } }>(
      staffOp('ApproveCertification'),
      { id, expectedVersion, validUntil, note },
      token,
    );
  const reject = (id: string, expectedVersion: number, reason: string, token = certifier) =>
    catalog.query<{ rejectCertification: Cert }>(staffOp('RejectCertification'), { id, expectedVersion, reason }, token);
  const revoke = (id: string, expectedVersion: number, reason: string, token = certifier) =>
    catalog.query<{ revokeCertification: Cert }>(staffOp('RevokeCertification'), { id, expectedVersion, reason }, token);
  const certifyProducts = (productIds: string[], validUntil = inDays(365), note: string | null = null, token = certifier) =>
    catalog.query<{
      certifyProducts: {
        certified: { id: string; status: string; certificateNumber: string; product: { id: string; reliefCertified: boolean } }[];
        failed: { productId: string; code: string; message: string }[];
      };
    }>(staffOp('CertifyProducts'), { productIds, validUntil, note }, token);
  const history = (id: string, token = certifier) =>
    catalog.query<{
      certification: { id: string; status: string; version: number; history: { action: string; at: string; actor: string; note: string | null }[] } | null;
    }>(staffOp('CertificationHistory'), { id }, token);
  async function approved(id: string, expectedVersion: number, validUntil?: string) {
    const response = await approve(id, expectedVersion, validUntil);
    expect(response.errors).toBeUndefined();
    return response.data!.approveCertification;
  }

  /** Ids of the partner catalog's certifiedOnly page (all of them: fewer than 100). */
  async function certifiedOnly(): Promise<string[]> {
    const response = await catalog.query<{ products: { totalCount: number; edges: { node: { id: string; reliefCertified: boolean } }[] } }>(
      partnerOp('CatalogPage'),
      { filter: { certifiedOnly: true }, first: 100 },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.products.totalCount).toBe(response.data!.products.edges.length);
    return response.data!.products.edges.map((edge) => edge.node.id);
  }
  const detail = async (id: string) =>
    (
      await catalog.query<{ product: { reliefCertified: boolean; certification: { status: string; certificateNumber: string | null } | null } }>(
        partnerOp('ProductDetail'),
        { id },
      )
    ).data!.product;

  /** Sends one POST to a URL with exactly these headers (no harness defaults). */
  const post = (url: string, headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) =>
    postTo(url, { query, variables }, headers);

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
      const basic = await post(catalog.gatewayUrl, { authorization: 'Basic YWxpY2U6c2VjcmV0' }, staffOp('CertifyProducts'), {
        productIds: [target.id],
        validUntil: inDays(300),
      });
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
          const response = await post(url, headers, query, variables);
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
          const response = await post(catalog.subgraphs[name].url, headers, query, { representations });
          expect({ name, status: response.status, code: codeOf(response) }).toEqual({ name, status: 401, code: 'UNAUTHENTICATED' });
        }
        const signed = await post(
          catalog.subgraphs[name].url,
          { [IDENTITY_HEADER]: signIdentity(certifierIdentity, subgraphSecret(DEVELOPMENT_ENV), name) },
          query,
          { representations },
        );
        expect(signed.status).toBe(200);
        expect(signed.data).toEqual({ _entities: [{ __typename: name === 'products' ? 'Product' : 'Supplier' }] });
      }

      // Control: the same requests with a header signed by the gateway's secret do reach the resolvers.
      const signed = { [IDENTITY_HEADER]: signIdentity({ ...certifierIdentity, sub: 'gateway-signed' }, subgraphSecret(DEVELOPMENT_ENV), 'certification') };
      const ok = await post(url, signed, entities, { representations: [{ __typename: 'Product', id: pending.id }] });
      expect(ok.status).toBe(200);
      expect(ok.data).toEqual({
        _entities: [{ id: pending.id, reliefCertified: false, certification: { id: latest(pending).id, status: 'PENDING', evidence: expect.any(String) } }],
      });
      const stale = await post(url, signed, staffOp('ApproveCertification'), {
        id: latest(pending).id,
        expectedVersion: latest(pending).version + 5,
        validUntil: inDays(300),
      });
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
