// The composed supergraph is a checked artifact: the subgraphs must compose,
// and every operation partners and staff ship (../shared/contract) must
// validate against the API schema the gateway serves.
import { validate } from 'graphql';
import { composeApiSchema, composeSupergraph } from '../gateway/supergraph';
import { contractOperations as operations } from './support/contract';

describe('the supergraph', () => {
  const schema = composeApiSchema();

  it('composes from schema/ with the URL given for each subgraph', () => {
    const sdl = composeSupergraph({ products: 'http://p/graphql', suppliers: 'http://s/graphql', certification: 'http://c/graphql' });
    expect(sdl).toContain('@join__graph(name: "products", url: "http://p/graphql")');
    expect(sdl).toContain('@join__graph(name: "certification", url: "http://c/graphql")');
  });

  it('finds every contract operation', () => {
    const names = operations.map((operation) => operation.name);
    expect(names).toEqual(expect.arrayContaining(['CatalogPage', 'ProductDetail', 'Platforms', 'CertificationQueue', 'CertifyProducts']));
    expect(operations.length).toBeGreaterThanOrEqual(14);
  });

  it.each(operations.map((operation) => [operation.file, operation.name, operation] as const))('validates %s %s', (_file, _name, operation) => {
    expect(validate(schema, operation.document).map((error) => error.message)).toEqual([]);
  });

  it('keeps internal fields out of the public API', () => {
    expect(schema.getQueryType()?.getFields().certifiedProducts).toBeUndefined();
    expect(schema.getMutationType()?.getFields().resolveSuppliers).toBeUndefined();
  });
});
