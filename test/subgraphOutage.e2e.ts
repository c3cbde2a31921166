// One subgraph down at a time: every partner operation of the contract (and
// the staff queries) still returns what the other subgraphs own, with a
// DOWNSTREAM_SERVICE_ERROR naming the missing subgraph at the path of each
// field it would have answered. Null there means "unknown now", never "no".
import { SUBGRAPH_NAMES, type SubgraphName } from '../common/topology';
import { startCatalog, type Catalog } from './support/catalogHarness';
import { contractOperations } from './support/contract';
import type { GraphQLResponse } from './support/graphqlHttp';

const operations = contractOperations.filter((operation) => /^\s*query\b/.test(operation.query));

type Path = (string | number)[];

/** Every leaf of `value` with its path. */
function leaves(value: unknown, path: Path = []): [Path, unknown][] {
  if (value === null || typeof value !== 'object') return [[path, value]];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  if (entries.length === 0) return [[path, value]];
  return entries.flatMap(([key, item]) => leaves(item, [...path, key]));
}

const startsWith = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
const at = (value: unknown, path: Path) =>
  path.reduce<unknown>((node, key) => (node === null || node === undefined ? node : (node as Record<string, unknown>)[key as string]), value);

// A staff query whose root list holds products cannot survive the products
// subgraph: Certification.product and Product.name are non-null, and the
// contract allows only the three certification fields to become nullable.
const NOT_EXPECTED: Partial<Record<SubgraphName, string[]>> = { products: ['CertificationQueue'] };

describe('one subgraph down', () => {
  let catalog: Catalog;
  let certifier: string;
  const variables: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    catalog = await startCatalog({ backend: 'pglite' });
    certifier = catalog.token('outage', ['certifier']);
    const some = await catalog.query<{ products: { edges: { node: { id: string; gtin: string | null; supplier: { id: string } } }[] } }>(
      '{ products(first: 50) { edges { node { id gtin supplier { id } } } } }',
    );
    const product = some.data!.products.edges.map((edge) => edge.node).find((node) => node.gtin)!;
    const queue = await catalog.query<{ certifications: { edges: { node: { id: string } }[] } }>(
      '{ certifications(status: APPROVED, first: 1) { edges { node { id } } } }',
      {},
      certifier,
    );
    Object.assign(variables, {
      CatalogPage: { first: 5 },
      ProductDetail: { id: product.id },
      ProductByGtin: { gtin: product.gtin },
      SupplierWithProducts: { id: product.supplier.id, first: 5 },
      Suppliers: { first: 5 },
      Region: { code: '411423' },
      Platforms: {},
      CertificationQueue: { status: 'APPROVED', first: 5 },
      CertificationHistory: { id: queue.data!.certifications.edges[0].node.id },
    });
  }, 120_000);
  afterAll(async () => {
    await catalog?.close();
  });

  test.each(SUBGRAPH_NAMES)(
    'with %s down, the rest of every answer arrives',
    async (down) => {
      const run = (name: string, query: string) => catalog.query(query, variables[name], certifier);
      const baseline = new Map<string, GraphQLResponse>();
      for (const { name, query } of operations) {
        const response = await run(name, query);
        expect(response.errors).toBeUndefined();
        baseline.set(name, response);
      }
      const outcomes = new Map<string, GraphQLResponse>();
      await catalog.stopSubgraph(down);
      try {
        for (const { name, query } of operations) {
          if (NOT_EXPECTED[down]?.includes(name)) continue;
          const response = await run(name, query);
          const expected = baseline.get(name)!;
          const errors = response.errors ?? [];
          for (const error of errors) {
            expect({ operation: name, code: error.extensions?.code, serviceName: error.extensions?.serviceName }).toEqual({
              operation: name,
              code: 'DOWNSTREAM_SERVICE_ERROR',
              serviceName: down,
            });
            expect(error.path).toBeDefined();
            expect(error.path).not.toContain('@');
            expect(error.message).not.toMatch(/http:|127\.0\.0\.1|ECONNREFUSED/);
            // The error sits where a value is now missing.
            expect(at(response.data, error.path!) ?? null).toBeNull();
          }
          // Everything not under an error's path is what it was with every subgraph up.
          const differing = leaves(expected.data)
            .filter(([path]) => !errors.some((error) => startsWith(path, error.path ?? [])))
            .filter(([path, value]) => JSON.stringify(at(response.data, path)) !== JSON.stringify(value))
            .map(([path]) => `${name}: ${path.join('.')}`);
          expect(differing).toEqual([]);
          outcomes.set(name, response);
        }
        const paths = (name: string) => (outcomes.get(name)!.errors ?? []).map((error) => error.path!.join('.'));
        if (down === 'certification') {
          // The page is there; each product's certification facts are unknown, each with its error.
          expect(outcomes.get('CatalogPage')!.data).not.toBeNull();
          expect(paths('CatalogPage')).toEqual(expect.arrayContaining(['products.edges.0.node.reliefCertified', 'products.edges.4.node.reliefCertified']));
          expect(paths('ProductDetail').sort()).toEqual(['product.certification', 'product.reliefCertified', 'product.reliefEligibility']);
        }
        if (down === 'suppliers') {
          // Unknown is not false: no eligibility is guessed without the supplier's facts.
          expect((outcomes.get('ProductDetail')!.data as { product: { reliefEligibility: unknown } }).product.reliefEligibility).toBeNull();
          expect(paths('ProductDetail').sort()).toEqual(['product.origin', 'product.reliefEligibility', 'product.supplier']);
        }
        if (down === 'products') expect(paths('CatalogPage')).toEqual(['products']);
      } finally {
        await catalog.restartSubgraph(down);
      }
    },
    120_000,
  );
});
