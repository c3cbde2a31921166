// The gateway's savings on subgraph work, as pure functions: repeated entity
// representations collapsed and spread back, identical reads in flight shared,
// side-by-side reads merged into one request, identity headers reused while fresh.
import { buildSchema, parse, validate } from 'graphql';
import jwt from 'jsonwebtoken';
import { IdentitySigner, verifyIdentity, ANONYMOUS } from '../common/identity';
import { FetchMerger } from '../gateway/fetch/fetchBatching';
import type { SubgraphAnswer } from '../gateway/fetch/layers';
import { collapseRepresentations } from '../gateway/fetch/representations';
import { copyJson, SharedFetches } from '../gateway/fetch/sharedFetches';

const supplier = (id: string) => ({ __typename: 'Supplier', id });

describe('collapseRepresentations', () => {
  it('leaves a fetch without repeats alone', () => {
    expect(collapseRepresentations({ representations: [supplier('a'), supplier('b')] })).toBeNull();
    expect(collapseRepresentations({ first: 3 })).toBeNull();
    expect(collapseRepresentations(undefined)).toBeNull();
  });

  it('sends each representation once and gives every position its own copy of the answer', () => {
    const collapsed = collapseRepresentations({ first: 2, representations: [supplier('a'), supplier('b'), supplier('a'), supplier('a')] })!;
    expect(collapsed.variables).toEqual({ first: 2, representations: [supplier('a'), supplier('b')] });
    expect(collapsed.saved).toBe(2);
    const response = {
      data: {
        _entities: [
          { id: 'a', region: { code: '411423' } },
          { id: 'b', region: { code: '341321' } },
        ],
      },
    };
    collapsed.expand(response);
    const entities = response.data._entities;
    expect(entities.map((entity) => entity.id)).toEqual(['a', 'b', 'a', 'a']);
    expect(entities[2]).toEqual(entities[0]);
    // Separate objects all the way down: the gateway merges into each of them.
    expect(entities[2]).not.toBe(entities[0]);
    expect(entities[3].region).not.toBe(entities[0].region);
  });

  it('repeats an error on a collapsed entity for every position it stood for', () => {
    const collapsed = collapseRepresentations({ representations: [supplier('a'), supplier('b'), supplier('a')] })!;
    const response = {
      data: { _entities: [null, { id: 'b' }] },
      errors: [{ message: 'no such supplier', path: ['_entities', 0, 'name'] }, { message: 'elsewhere' }],
    };
    collapsed.expand(response);
    expect(response.data._entities).toEqual([null, { id: 'b' }, null]);
    expect(response.errors).toEqual([
      { message: 'no such supplier', path: ['_entities', 0, 'name'] },
      { message: 'no such supplier', path: ['_entities', 2, 'name'] },
      { message: 'elsewhere' },
    ]);
  });
});

describe('SharedFetches', () => {
  const answer = (text: string): SubgraphAnswer => ({ status: 200, statusText: 'OK', cacheControl: null, text });

  it('shares a fetch under way, then forgets it', async () => {
    const shared = new SharedFetches();
    let fetches = 0;
    let release: (value: SubgraphAnswer) => void = () => undefined;
    const slow = () => {
      fetches += 1;
      return new Promise<SubgraphAnswer>((resolve) => (release = resolve));
    };
    let joined = 0;
    const first = shared.run('k', slow, () => (joined += 1));
    const second = shared.run('k', slow, () => (joined += 1));
    const other = shared.run('other', async () => answer('other'));
    release(answer('one'));
    expect((await first).text).toBe('one');
    expect((await second).text).toBe('one');
    expect((await other).text).toBe('other');
    expect([fetches, joined]).toEqual([1, 1]);
    await shared.run('k', async () => answer('again'));
    expect((await shared.run('k', async () => answer('later'))).text).toBe('later');
  });

  it('never shares what has no key (writes)', async () => {
    const shared = new SharedFetches();
    let fetches = 0;
    const fetch = async () => answer(String((fetches += 1)));
    const [a, b] = await Promise.all([shared.run(null, fetch), shared.run(null, fetch)]);
    expect([a.text, b.text].sort()).toEqual(['1', '2']);
  });
});

describe('IdentitySigner', () => {
  const secret = 'x'.repeat(40);

  it('reuses a header for the same caller while it has half its life left, and signs callers apart', () => {
    let now = Date.now();
    const signer = new IdentitySigner(secret, 'products', 60, () => now);
    const first = signer.sign(ANONYMOUS);
    expect(signer.sign({ ...ANONYMOUS })).toBe(first);
    const partner = signer.sign({ sub: 'p', roles: ['partner'], platform: 'jd', authenticated: true, service: false });
    expect(partner).not.toBe(first);
    expect(verifyIdentity(partner, secret, 'products')).toMatchObject({ sub: 'p', platform: 'jd', roles: ['partner'] });
    now += 29_000;
    expect(signer.sign(ANONYMOUS)).toBe(first);
    now += 2_000;
    expect(signer.sign(ANONYMOUS)).not.toBe(first);
  });

  it('signs for one subgraph, for 30 seconds by default: another subgraph refuses the header, and so does every subgraph once it lapses', () => {
    const signedAt = Date.now() - 31_000;
    const header = new IdentitySigner(secret, 'products', undefined, () => Date.now()).sign(ANONYMOUS);
    const claims = jwt.decode(header) as jwt.JwtPayload;
    expect(claims.aud).toBe('products');
    expect(claims.exp! - claims.iat!).toBe(30);
    expect(() => verifyIdentity(header, secret, 'certification')).toThrow(/through the gateway/);
    const lapsed = new IdentitySigner(secret, 'products', undefined, () => signedAt).sign(ANONYMOUS);
    expect(() => verifyIdentity(lapsed, secret, 'products')).toThrow(/through the gateway/);
  });

  it('refuses a header without an expiry, however well signed', () => {
    const forever = jwt.sign({ roles: [], authenticated: false, service: false }, secret, {
      algorithm: 'HS256',
      subject: 'anonymous',
      issuer: 'relief-goods-graph/gateway',
      audience: 'products',
    });
    expect(() => verifyIdentity(forever, secret, 'products')).toThrow(/through the gateway/);
  });
});

describe('FetchMerger', () => {
  const merger = new FetchMerger();
  const regions = 'query Page__suppliers__1($representations:[_Any!]!){_entities(representations:$representations){...on Region{code county}}}';
  const suppliers =
    'query Page__suppliers__2($representations:[_Any!]!,$first:Int){_entities(representations:$representations){...S} other: region(code: "411423", first: $first) { code }} fragment S on Supplier { id name }';

  it('merges reads into one operation, their variables, root fields and fragments apart', () => {
    const merged = merger.merge([
      { query: regions, variables: { representations: [{ __typename: 'Region', code: '411423' }] } },
      { query: suppliers, variables: { representations: [{ __typename: 'Supplier', id: 's1' }], first: 3 } },
    ])!;
    const document = parse(merged.query);
    expect(validate(buildSchema(SCHEMA), document)).toEqual([]);
    expect(merged.variables).toEqual({
      _b0_representations: [{ __typename: 'Region', code: '411423' }],
      _b1_representations: [{ __typename: 'Supplier', id: 's1' }],
      _b1_first: 3,
    });
    expect(merged.query).toContain('_b0__entities: _entities(representations: $_b0_representations)');
    expect(merged.query).toContain('_b1_other: region(code: "411423", first: $_b1_first)');
    expect(merged.query).toContain('fragment _b1_S on Supplier');
  });

  it('hands each read its own part of the answer and its own errors', () => {
    const merged = merger.merge([
      { query: regions, variables: {} },
      { query: suppliers, variables: {} },
    ])!;
    const [first, second] = merged.split({
      data: { _b0__entities: [{ code: '411423', county: '宁陵县' }], _b1__entities: [null], _b1_other: { code: '411423' } },
      errors: [{ message: 'gone', path: ['_b1__entities', 0, 'name'] }, { message: 'everyone' }],
    });
    expect(first).toEqual({ data: { _entities: [{ code: '411423', county: '宁陵县' }] }, errors: [{ message: 'everyone' }] });
    expect(second).toEqual({
      data: { _entities: [null], other: { code: '411423' } },
      errors: [{ message: 'gone', path: ['_entities', 0, 'name'] }, { message: 'everyone' }],
    });
  });

  it('leaves alone what it cannot merge: mutations, several operations, unparsable text', () => {
    expect(merger.merge([{ query: regions }, { query: 'mutation { bump }' }])).toBeNull();
    expect(merger.merge([{ query: regions }, { query: 'query A { a } query B { b }' }])).toBeNull();
    expect(merger.merge([{ query: regions }, { query: '{ not graphql' }])).toBeNull();
  });
});

const SCHEMA = `
  scalar _Any
  type Region { code: ID! county: String }
  type Supplier { id: ID! name: String }
  union _Entity = Region | Supplier
  type Query { _entities(representations: [_Any!]!): [_Entity]! region(code: ID!, first: Int): Region }
`;

describe('copyJson', () => {
  it('copies parsed JSON deeply, a "__proto__" key included as a plain property', () => {
    const parsed = JSON.parse('{"a":[1,{"b":null}],"__proto__":{"polluted":true},"c":"x"}') as Record<string, unknown>;
    const copy = copyJson(parsed);
    expect(copy).toEqual(parsed);
    expect(copy.a).not.toBe(parsed.a);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['a', '__proto__', 'c']);
  });
});
