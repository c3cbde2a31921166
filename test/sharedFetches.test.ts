// The gateway's savings on subgraph work, as pure functions: repeated entity
// representations collapsed and spread back, identical reads in flight shared,
// identity headers reused while fresh.
import { IdentitySigner, verifyIdentity, ANONYMOUS } from '../common/identity';
import { collapseRepresentations, SharedFetches, type SubgraphAnswer } from '../gateway/sharedFetches';

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
    const response = { data: { _entities: [{ id: 'a', region: { code: '411423' } }, { id: 'b', region: { code: '341321' } }] } };
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
    const signer = new IdentitySigner(secret, 60, () => now);
    const first = signer.sign(ANONYMOUS);
    expect(signer.sign({ ...ANONYMOUS })).toBe(first);
    const partner = signer.sign({ sub: 'p', roles: ['partner'], platform: 'jd', authenticated: true, service: false });
    expect(partner).not.toBe(first);
    expect(verifyIdentity(partner, secret)).toMatchObject({ sub: 'p', platform: 'jd', roles: ['partner'] });
    now += 29_000;
    expect(signer.sign(ANONYMOUS)).toBe(first);
    now += 2_000;
    expect(signer.sign(ANONYMOUS)).not.toBe(first);
  });
});
