// The suppliers subgraph alone, through server.executeOperation on PGlite
// with the demo catalog: its queries, `_entities` for Supplier and Region
// (batched: one statement per type whatever the number of representations),
// the internal resolveSuppliers, and its staff mutations refusing bad input
// and callers without the role before anything is written. No other subgraph
// runs: a merge, which must move products first, finds the products subgraph
// unreachable.
import { ANONYMOUS, serviceIdentity, type Identity } from '../../common/identity';
import { demoCatalog } from '../../demo/demoCatalog';
import { codeOf } from '../support/graphqlHttp';
import { openLocalSubgraph, type LocalSubgraph } from '../support/localSubgraph';

const certifier: Identity = { sub: 'certifier-suppliers', roles: ['certifier'], platform: null, authenticated: true, service: false };
const partner: Identity = { sub: 'partner-jd', roles: ['partner'], platform: 'jd', authenticated: true, service: false };
const demo = demoCatalog(new Date());

const ENTITIES = `query E($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Supplier { id name region { code county } }
    ... on Region { code county designatedPovertyCounty }
  }
}`;

describe('suppliers subgraph', () => {
  let suppliers: LocalSubgraph;
  beforeAll(async () => {
    suppliers = await openLocalSubgraph('suppliers');
  }, 60_000);
  afterAll(async () => {
    await suppliers?.close();
  });

  const rows = async (table: string) => (await suppliers.store.sql.query<{ count: number }>(`SELECT count(*)::int AS count FROM ${table}`))[0].count;
  const written = async () => ({ suppliers: await rows('supplier'), events: await rows('supplier_event'), suggestions: await rows('supplier_suggestion') });

  it('answers supplier, suppliers by region prefix, region and unknown ids as null', async () => {
    const one = await suppliers.execute<{ supplier: { id: string; name: string; kind: string; region: { code: string; county: string } } }>(
      `{ supplier(id: "sup_001") { id name kind region { code county } } }`,
    );
    expect(one.errors).toBeUndefined();
    expect(one.data!.supplier).toEqual({ id: 'sup_001', name: demo.suppliers[0].name, kind: 'COOPERATIVE', region: { code: '411423', county: '宁陵县' } });

    const henan = await suppliers.execute<{ suppliers: { totalCount: number; edges: { node: { region: { code: string } } }[] } }>(
      `{ suppliers(regionCode: "41", first: 100) { totalCount edges { node { region { code } } } } }`,
    );
    expect(henan.data!.suppliers.totalCount).toBe(demo.suppliers.filter((supplier) => supplier.regionCode.startsWith('41')).length);
    expect(henan.data!.suppliers.edges.every((edge) => edge.node.region.code.startsWith('41'))).toBe(true);

    const region = await suppliers.execute<{ region: { county: string; designatedPovertyCounty: boolean } }>(
      `{ region(code: "411423") { county designatedPovertyCounty } }`,
    );
    expect(region.data!.region).toEqual({ county: '宁陵县', designatedPovertyCounty: true });
    const unknown = await suppliers.execute(`{ supplier(id: "nobody") { id } region(code: "999999") { code } named: region(code: "Henan") { code } }`);
    expect(unknown.data).toEqual({ supplier: null, region: null, named: null });
  });

  it('refuses a page size outside 1 to 100, a foreign cursor and a region prefix that is not digits with BAD_USER_INPUT', async () => {
    for (const query of [
      `{ suppliers(first: 500) { totalCount } }`,
      `{ suppliers(first: 0) { totalCount } }`,
      `{ suppliers(first: 5, after: "not-a-cursor") { totalCount } }`,
      `{ suppliers(regionCode: "Henan", first: 5) { totalCount } }`,
    ]) {
      expect({ query, code: codeOf(await suppliers.execute(query)) }).toEqual({ query, code: 'BAD_USER_INPUT' });
    }
  });

  it('resolves Supplier and Region references through _entities in one statement per type, whatever their number', async () => {
    const statementsFor = async (representations: object[]) => {
      const before = suppliers.sqlStatements();
      const response = await suppliers.execute<{ _entities: unknown[] }>(ENTITIES, { representations });
      expect(response.errors).toBeUndefined();
      expect(response.data!._entities).toHaveLength(representations.length);
      return { statements: suppliers.sqlStatements() - before, entities: response.data!._entities };
    };
    const one = await statementsFor([{ __typename: 'Supplier', id: 'sup_001' }]);
    expect(one.entities).toEqual([{ __typename: 'Supplier', id: 'sup_001', name: demo.suppliers[0].name, region: { code: '411423', county: '宁陵县' } }]);
    const all = await statementsFor(demo.suppliers.map((supplier) => ({ __typename: 'Supplier', id: supplier.id })));
    // Suppliers, then their regions: two statements for one supplier or for all of them.
    expect(all.statements).toBe(one.statements);
    expect(all.statements).toBeLessThanOrEqual(2);

    const regions = await statementsFor(demo.regions.map((region) => ({ __typename: 'Region', code: region.code })));
    expect(regions.statements).toBe(1);
    const mixed = await statementsFor([
      { __typename: 'Supplier', id: 'nobody' },
      { __typename: 'Region', code: '411423' },
    ]);
    expect(mixed.entities).toEqual([null, { __typename: 'Region', code: '411423', county: '宁陵县', designatedPovertyCounty: true }]);
  });

  it('shows a supplier’s history to certifiers only', async () => {
    const query = `{ supplier(id: "sup_001") { history { kind } } }`;
    expect((await suppliers.execute<{ supplier: { history: unknown[] | null } }>(query)).data!.supplier.history).toBeNull();
    expect((await suppliers.execute<{ supplier: { history: unknown[] | null } }>(query, {}, partner)).data!.supplier.history).toBeNull();
    expect(Array.isArray((await suppliers.execute<{ supplier: { history: unknown[] | null } }>(query, {}, certifier)).data!.supplier.history)).toBe(true);
  });

  it('resolves supplier names for other subgraphs only: the same id for a known spelling, a problem for an unknown county', async () => {
    const resolve = `mutation R($suppliers: [SupplierNameInput!]!) { resolveSuppliers(suppliers: $suppliers) { supplier { id } created problemField problem } }`;
    const names = { suppliers: [{ name: demo.suppliers[0].name, regionCode: '411423' }] };
    const before = await written();
    for (const identity of [ANONYMOUS, partner, certifier]) {
      expect({ sub: identity.sub, code: codeOf(await suppliers.execute(resolve, names, identity)) }).toEqual({ sub: identity.sub, code: 'FORBIDDEN' });
    }
    const tooMany = { suppliers: Array.from({ length: 1001 }, (_, index) => ({ name: `测试合作社${index}`, regionCode: '411423' })) };
    expect(codeOf(await suppliers.execute(resolve, tooMany, serviceIdentity('products')))).toBe('BAD_USER_INPUT');
    expect(await written()).toEqual(before);

    const resolved = await suppliers.execute<{ resolveSuppliers: unknown[] }>(
      resolve,
      { suppliers: [...names.suppliers, { name: '某县无名合作社', regionCode: '999999' }] },
      serviceIdentity('products'),
    );
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data!.resolveSuppliers).toEqual([
      { supplier: { id: 'sup_001' }, created: false, problemField: null, problem: null },
      { supplier: null, created: false, problemField: 'supplier_region_code', problem: '999999 is not a known county code' },
    ]);
    expect(await written()).toEqual(before);
  });

  it('lets only certifiers merge suppliers or dismiss a suggestion, refuses bad input with BAD_USER_INPUT, and writes nothing', async () => {
    const merge = `mutation M($survivorId: ID!, $mergedId: ID!, $reason: String!) { mergeSuppliers(survivorId: $survivorId, mergedId: $mergedId, reason: $reason) { id } }`;
    const dismiss = `mutation D($id: ID!, $reason: String!) { dismissSupplierSuggestion(id: $id, reason: $reason) }`;
    const sameCounty = { survivorId: 'sup_001', mergedId: 'sup_002', reason: 'one producer under two names' };
    const before = await written();
    expect(codeOf(await suppliers.execute(merge, sameCounty))).toBe('UNAUTHENTICATED');
    expect(codeOf(await suppliers.execute(merge, sameCounty, partner))).toBe('FORBIDDEN');
    expect(codeOf(await suppliers.execute(dismiss, { id: 'sug_none', reason: 'different' }, partner))).toBe('FORBIDDEN');
    expect(codeOf(await suppliers.execute(`{ supplierSuggestions(first: 5) { totalCount } }`, {}, partner))).toBe('FORBIDDEN');

    const refused: [string, Record<string, unknown>, string, RegExp][] = [
      [merge, { ...sameCounty, reason: '   ' }, 'BAD_USER_INPUT', /^reason: /],
      [merge, { ...sameCounty, mergedId: 'sup_001' }, 'BAD_USER_INPUT', /^mergedId: is the survivor itself/],
      [merge, { ...sameCounty, mergedId: 'sup_004' }, 'BAD_USER_INPUT', /one producer is one county's/],
      [merge, { ...sameCounty, mergedId: 'nobody' }, 'NOT_FOUND', /nobody/],
      [dismiss, { id: 'sug_none', reason: ' ' }, 'BAD_USER_INPUT', /^reason: /],
      [dismiss, { id: 'sug_none', reason: 'different producers' }, 'NOT_FOUND', /sug_none/],
    ];
    for (const [query, variables, code, message] of refused) {
      const response = await suppliers.execute(query, variables, certifier);
      expect({ variables, code: codeOf(response) }).toEqual({ variables, code });
      expect(response.errors![0].message).toMatch(message);
    }
    // A good merge asks the products subgraph to move the products first; it is not running, so nothing is merged.
    const unreachable = await suppliers.execute(merge, sameCounty, certifier);
    expect(unreachable.errors?.[0]).toMatchObject({ extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', unavailableService: 'products' } });
    expect(await written()).toEqual(before);
  });
});
