// The certification subgraph alone, through server.executeOperation on
// PGlite with the demo catalog: the review queue and its roles, `_entities`
// for Product (certification, reliefCertified and, from the facts the
// representation carries, reliefEligibility; batched), the internal fields
// the products subgraph calls, and the lifecycle mutations refusing bad input,
// stale versions and callers without the role before anything is written.
// No other subgraph runs: an application, which needs the product's facts
// from the products subgraph, fails and writes nothing.
import { ANONYMOUS, serviceIdentity, type Identity } from '../../common/identity';
import { demoCatalog } from '../../demo/demoCatalog';
import { codeOf } from '../support/graphqlHttp';
import { openLocalSubgraph, type LocalSubgraph } from '../support/localSubgraph';

const certifier: Identity = { sub: 'certifier-alice', roles: ['certifier'], platform: null, authenticated: true, service: false };
const partner: Identity = { sub: 'partner-jd', roles: ['partner'], platform: 'jd', authenticated: true, service: false };
const products = serviceIdentity('products');
const now = new Date();
const demo = demoCatalog(now);

/** The demo certifications with the status they read as now (an APPROVED one past validUntil is EXPIRED). */
const certifications = demo.certifications.map((certification) => ({
  ...certification,
  version: certification.version ?? 1,
  effective: certification.status === 'APPROVED' && new Date(certification.validUntil!).getTime() <= now.getTime() ? 'EXPIRED' : certification.status,
}));
const withStatus = (status: string) => certifications.filter((certification) => certification.effective === status);
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

const ENTITIES = `query E($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id reliefCertified certification { id status certificateNumber } } }
}`;

describe('certification subgraph', () => {
  let certification: LocalSubgraph;
  beforeAll(async () => {
    certification = await openLocalSubgraph('certification');
  }, 60_000);
  afterAll(async () => {
    await certification?.close();
  });

  const sql = <Row>(text: string) => certification.store.sql.query<Row>(text);
  const snapshot = async () => ({
    certifications: await sql(`SELECT id, status, version FROM certification ORDER BY id`),
    events: (await sql<{ count: number }>(`SELECT count(*)::int AS count FROM certification_event`))[0].count,
  });

  it('shows the review queue and a certification with evidence and history to certifiers only', async () => {
    const queue = `query Q($status: CertificationStatus!) { certifications(status: $status, first: 100) { totalCount edges { node { id status } } } }`;
    for (const status of ['PENDING', 'APPROVED', 'REJECTED', 'REVOKED', 'EXPIRED']) {
      const page = await certification.execute<{ certifications: { totalCount: number; edges: { node: { id: string; status: string } }[] } }>(
        queue,
        { status },
        certifier,
      );
      expect(page.errors).toBeUndefined();
      expect({ status, total: page.data!.certifications.totalCount }).toEqual({ status, total: withStatus(status).length });
      expect(new Set(page.data!.certifications.edges.map((edge) => edge.node.id))).toEqual(new Set(withStatus(status).map((c) => c.id)));
    }
    expect(codeOf(await certification.execute(queue, { status: 'PENDING' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await certification.execute(queue, { status: 'PENDING' }, partner))).toBe('FORBIDDEN');

    const [pending] = withStatus('PENDING');
    const one = `query C($id: ID!) { certification(id: $id) { id status evidence history { action actor } } }`;
    const staff = await certification.execute<{ certification: { evidence: string; history: { action: string }[] } }>(one, { id: pending.id }, certifier);
    expect(staff.errors).toBeUndefined();
    expect(staff.data!.certification.evidence.length).toBeGreaterThan(0);
    expect(staff.data!.certification.history[0].action).toBe('APPLIED');
    expect(codeOf(await certification.execute(one, { id: pending.id }, partner))).toBe('FORBIDDEN');
    expect((await certification.execute(one, { id: 'cert_none' }, certifier)).data).toEqual({ certification: null });
  });

  it('resolves Product references through _entities in the same statements for one as for all, the public seeing certificates only', async () => {
    const statementsFor = async (ids: string[], identity: Identity = ANONYMOUS) => {
      const before = certification.sqlStatements();
      const response = await certification.execute<{
        _entities: { id: string; reliefCertified: boolean; certification: { id: string; status: string; certificateNumber: string | null } | null }[];
      }>(ENTITIES, { representations: ids.map((id) => ({ __typename: 'Product', id })) }, identity);
      expect(response.errors).toBeUndefined();
      return { statements: certification.sqlStatements() - before, entities: response.data!._entities, cacheControl: response.cacheControl };
    };
    const productIds = demo.products.map((product) => product.id!);
    const one = await statementsFor([productIds[0]]);
    const all = await statementsFor(productIds);
    expect(all.statements).toBe(one.statements);
    expect(all.entities.map((entity) => entity.id)).toEqual(productIds);
    const certified = new Set(withStatus('APPROVED').map((c) => c.productId));
    expect(new Set(all.entities.filter((entity) => entity.reliefCertified).map((entity) => entity.id))).toEqual(certified);
    // Cached no longer than the first certificate in the answer is valid.
    const firstLapse = Math.min(...withStatus('APPROVED').map((c) => new Date(c.validUntil!).getTime()));
    expect(all.cacheControl).toMatch(/^max-age=\d+, public$/);
    expect(Number(/max-age=(\d+)/.exec(all.cacheControl!)![1])).toBeLessThanOrEqual(Math.min(60, Math.ceil((firstLapse - Date.now()) / 1000)));

    // A product whose only certification is an application: the public sees none, certifiers see it.
    const applicationOnly = demo.products.find((product) => {
      const own = certifications.filter((c) => c.productId === product.id);
      return own.length === 1 && own[0].effective === 'PENDING';
    })!;
    expect((await statementsFor([applicationOnly.id!])).entities[0].certification).toBeNull();
    expect((await statementsFor([applicationOnly.id!], certifier)).entities[0].certification).toMatchObject({ status: 'PENDING', certificateNumber: null });
    // Any product id is a valid reference: never certified means no certification.
    expect((await statementsFor(['prd_none'])).entities).toEqual([{ id: 'prd_none', reliefCertified: false, certification: null }]);
  });

  it('decides reliefEligibility from the supplier facts in the representation, and says when they are missing', async () => {
    const query = `query E($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id reliefEligibility { eligible reasons } } } }`;
    const supplier = (designatedPovertyCounty: boolean, beneficiaryHouseholds: number) => ({
      id: 'sup_x',
      beneficiaryHouseholds,
      region: { code: '411423', designatedPovertyCounty },
    });
    const answer = await certification.execute<{ _entities: { id: string; reliefEligibility: { eligible: boolean; reasons: string[] } }[] }>(query, {
      representations: [
        { __typename: 'Product', id: 'prd_a', supplier: supplier(true, 0) },
        { __typename: 'Product', id: 'prd_b', supplier: supplier(false, 12) },
        { __typename: 'Product', id: 'prd_c', supplier: supplier(false, 0) },
      ],
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!._entities.map((entity) => entity.reliefEligibility.eligible)).toEqual([true, true, false]);
    for (const entity of answer.data!._entities) expect(entity.reliefEligibility.reasons.length).toBeGreaterThan(0);
    const missing = await certification.execute(query, { representations: [{ __typename: 'Product', id: 'prd_a' }] });
    expect(missing.errors?.[0]).toMatchObject({ extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', unavailableService: 'suppliers' } });
  });

  it('tells the products subgraph what changed in the certified set and which products have certifications, and nobody else', async () => {
    const changes = `query C($since: Int!) { certifiedProductChanges(since: $since) { version changes { productId validUntil } changesAt } }`;
    const whole = await certification.execute<{
      certifiedProductChanges: { version: number; changes: { productId: string; validUntil: string | null }[]; changesAt: string | null };
    }>(changes, { since: -1 }, products);
    expect(whole.errors).toBeUndefined();
    const set = whole.data!.certifiedProductChanges;
    expect(new Set(set.changes.map((change) => change.productId))).toEqual(new Set(withStatus('APPROVED').map((c) => c.productId)));
    expect(Date.parse(set.changesAt!)).toBe(Math.min(...set.changes.map((change) => Date.parse(change.validUntil!))));
    expect((await certification.execute(changes, { since: set.version }, products)).data).toEqual({
      certifiedProductChanges: { version: set.version, changes: [], changesAt: set.changesAt },
    });
    expect(codeOf(await certification.execute(changes, { since: -2 }, products))).toBe('BAD_USER_INPUT');

    const states = `query S($productIds: [ID!]!) { certificationStates(productIds: $productIds) { productId open } }`;
    const [approved] = withStatus('APPROVED');
    const [rejected] = withStatus('REJECTED').filter((c) => !certifications.some((other) => other.productId === c.productId && other !== c));
    const answer = await certification.execute<{ certificationStates: { productId: string; open: boolean }[] }>(
      states,
      { productIds: [approved.productId, rejected.productId, 'prd_none'] },
      products,
    );
    expect(answer.data!.certificationStates).toEqual([
      { productId: approved.productId, open: true },
      { productId: rejected.productId, open: false },
    ]);
    expect(codeOf(await certification.execute(states, { productIds: Array.from({ length: 1001 }, (_, i) => `prd_${i}`) }, products))).toBe('BAD_USER_INPUT');

    for (const identity of [ANONYMOUS, partner, certifier]) {
      for (const [query, variables] of [
        [changes, { since: -1 }],
        [states, { productIds: [approved.productId] }],
        [`{ certifiedProducts { productIds } }`, {}],
      ] as const) {
        expect({ sub: identity.sub, code: codeOf(await certification.execute(query, variables, identity)) }).toEqual({ sub: identity.sub, code: 'FORBIDDEN' });
      }
    }
  });

  it('refuses bad reasons, stale versions, wrong states and callers without the role, writing nothing; a rejection writes one event', async () => {
    const reject = `mutation R($id: ID!, $v: Int!, $reason: String!) { rejectCertification(id: $id, expectedVersion: $v, reason: $reason) { id status version } }`;
    const revoke = `mutation V($id: ID!, $v: Int!, $reason: String!) { revokeCertification(id: $id, expectedVersion: $v, reason: $reason) { id status version } }`;
    const bulk = `mutation B($ids: [ID!]!, $until: DateTime!) { certifyProducts(productIds: $ids, validUntil: $until) { certified { id } } }`;
    const [pending] = withStatus('PENDING');
    const [approved] = withStatus('APPROVED');
    const before = await snapshot();
    const refused: [string, Record<string, unknown>, Identity, string][] = [
      [reject, { id: pending.id, v: pending.version, reason: 'no evidence' }, ANONYMOUS, 'UNAUTHENTICATED'],
      [reject, { id: pending.id, v: pending.version, reason: 'no evidence' }, partner, 'FORBIDDEN'],
      [reject, { id: pending.id, v: pending.version, reason: '   ' }, certifier, 'BAD_USER_INPUT'],
      [reject, { id: pending.id, v: pending.version + 1, reason: 'no evidence' }, certifier, 'CONFLICT'],
      [reject, { id: approved.id, v: approved.version, reason: 'not pending' }, certifier, 'CONFLICT'],
      [revoke, { id: pending.id, v: pending.version, reason: 'not approved' }, certifier, 'CONFLICT'],
      [reject, { id: 'cert_none', v: 1, reason: 'no such' }, certifier, 'NOT_FOUND'],
      [bulk, { ids: Array.from({ length: 501 }, (_, i) => `prd_${i}`), until: inDays(300) }, certifier, 'BAD_USER_INPUT'],
      [bulk, { ids: ['prd_001'], until: '2020-13-45' }, certifier, 'BAD_USER_INPUT'],
    ];
    for (const [query, variables, identity, code] of refused) {
      const response = await certification.execute(query, variables, identity);
      expect({ variables, code: codeOf(response) }).toEqual({ variables, code });
    }
    // An application needs the product's facts from the products subgraph, which is not running.
    const apply = await certification.execute(
      `mutation A($productId: ID!, $evidence: String!) { applyForCertification(productId: $productId, evidence: $evidence) { id } }`,
      { productId: demo.products[0].id, evidence: 'County recommendation letter.' },
      certifier,
    );
    expect(apply.data).toBeNull();
    expect(apply.errors?.map((error) => error.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(await snapshot()).toEqual(before);

    const rejected = await certification.execute(reject, { id: pending.id, v: pending.version, reason: '  no county letter  ' }, certifier);
    expect(rejected.errors).toBeUndefined();
    expect(rejected.data).toEqual({ rejectCertification: { id: pending.id, status: 'REJECTED', version: pending.version + 1 } });
    const after = await snapshot();
    expect(after.events).toBe(before.events + 1);
    const [event] = await sql<{ action: string; actor: string; note: string }>(
      `SELECT action, actor, note FROM certification_event WHERE certification_id = '${pending.id}' ORDER BY id DESC LIMIT 1`,
    );
    expect(event).toEqual({ action: 'REJECTED', actor: 'certifier-alice', note: 'no county letter' });
  });
});
