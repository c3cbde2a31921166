// Query limits: what each operation measures (hand-computed for the abusive
// shapes), that every contract operation keeps the default limits with its
// largest variables, and that the plugin refuses before any subgraph is called.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  parse,
  typeFromAST,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ConfigError } from '../common/environment';
import {
  checkQueryLimits,
  DEFAULT_QUERY_LIMITS,
  measureOperation,
  queryLimitsFromEnv,
  queryLimitsPlugin,
  type QueryLimits,
} from '../gateway/features/queryLimits';
import { composeApiSchema, composeSupergraph } from '../gateway/supergraph';
import { contractOperations as contract } from './support/contract';

const schema: GraphQLSchema = composeApiSchema();

/** Measures a document after checking it is valid, as the plugin only sees valid ones. */
function measure(query: string | DocumentNode, variables: Record<string, unknown> = {}, operationName: string | null = null) {
  const document = typeof query === 'string' ? parse(query) : query;
  expect(validate(schema, document).map((error) => error.message)).toEqual([]);
  return measureOperation(schema, document, operationName, variables);
}

// The largest list each argument accepts, from the schema's descriptions.
const MAX_LIST_INPUT: Record<string, number> = { productIds: 500, ids: 500, listings: 1000 };

/** Variables at their most expensive: first: 100, every list input at its documented maximum. */
function maximalVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never);
    if (name === 'first') variables[name] = 100;
    else if (type && isListType(getNullableType(type))) {
      const size = MAX_LIST_INPUT[name] ?? 1000;
      variables[name] = Array.from({ length: size }, (_, index) => (getNamedType(type).name === 'ID' ? `id_${index}` : {}));
    }
  }
  return variables;
}

/** Adds `__typename` to every selection set below the root, as Apollo Client does. */
function withTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    SelectionSet: {
      leave(node, _key, parent) {
        if ((parent as { kind?: string } | undefined)?.kind === Kind.OPERATION_DEFINITION) return undefined;
        if (node.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === '__typename')) return undefined;
        return { ...node, selections: [...node.selections, { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] };
      },
    },
  });
}

describe('default limits and the operations clients ship', () => {
  it('finds the contract', () => {
    expect(contract.length).toBeGreaterThanOrEqual(14);
  });

  it.each(contract.map((operation) => [operation.name, operation] as const))('%s keeps the default limits with its largest variables', (_name, operation) => {
    const variables = maximalVariables(operation.document.definitions[0] as OperationDefinitionNode);
    const measured = measure(operation.document, variables);
    expect(checkQueryLimits(measured, DEFAULT_QUERY_LIMITS)).toBeNull();
    // Comfortably: half the field budget and the cost budget would still do.
    expect(measured.fields).toBeLessThanOrEqual(DEFAULT_QUERY_LIMITS.maxFields / 2);
    expect(measured.cost).toBeLessThanOrEqual(DEFAULT_QUERY_LIMITS.maxCost / 2);
    // Apollo Client sends the same operations with __typename in every selection set.
    expect(checkQueryLimits(measure(withTypenames(operation.document), variables), DEFAULT_QUERY_LIMITS)).toBeNull();
  });

  it('measures the heaviest contract operations as computed by hand', () => {
    const byName = new Map(contract.map((operation) => [operation.name, operation.document]));
    // 1 products + 1 totalCount + 3 pageInfo + edges (1 + 100 x (1 cursor + 123 node)), where a
    // node is 1 + 5 scalars + 7 priceRange + 5 origin + 9 supplier + 1 + 4 certification
    // + 91 listings (1 + 10 x 9).
    expect(measure(byName.get('CatalogPage')!, { first: 100 })).toEqual({ depth: 6, aliases: 0, fields: 49, cost: 12406 });
    // 1 + 1 totalCount + 3 pageInfo + edges (1 + 100 x 18).
    expect(measure(byName.get('CertificationQueue')!, { first: 100 })).toEqual({ depth: 7, aliases: 0, fields: 24, cost: 1806 });
    // 1 + certified (1 + 500 x 6) + failed (1 + 500 x 3).
    expect(measure(byName.get('CertifyProducts')!, maximalVariables(byName.get('CertifyProducts')!.definitions[0] as OperationDefinitionNode))).toEqual({
      depth: 4,
      aliases: 0,
      fields: 12,
      cost: 4503,
    });
  });

  it("lets the importer's 1000-listing UpsertListings batch through", () => {
    // importer/operations.graphql is sent by `npm run import` in batches of 1000 listings.
    const document = parse(readFileSync(join(__dirname, '..', 'importer', 'operations.graphql'), 'utf8'));
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === 'UpsertListings',
    )!;
    // 1 + 6 counts + results (1 + 1000 x (4 scalars + 2 product + problems (1 + 10 x 2))).
    const measured = measure(document, maximalVariables(operation), 'UpsertListings');
    expect(measured).toEqual({ depth: 4, aliases: 0, fields: 17, cost: 27008 });
    expect(checkQueryLimits(measured, DEFAULT_QUERY_LIMITS)).toBeNull();
  });

  it('lets every operation of the staff console through at the largest page it may ask for', () => {
    const document = parse(readFileSync(join(__dirname, '..', 'gateway', 'console', 'operations.graphql'), 'utf8'));
    const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const measured = measure(document, maximalVariables(operation), operation.name!.value);
      expect({ operation: operation.name!.value, refused: checkQueryLimits(measured, DEFAULT_QUERY_LIMITS)?.message ?? null }).toEqual({
        operation: operation.name!.value,
        refused: null,
      });
    }
  });

  it("does not measure introspection (the playground's schema query passes)", () => {
    const introspection = getIntrospectionQuery({
      descriptions: true,
      inputValueDeprecation: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
    });
    expect(measure(introspection)).toEqual({ depth: 0, aliases: 0, fields: 0, cost: 0 });
    // __typename is an ordinary field.
    expect(measure('{ __typename platforms { code } }')).toEqual({ depth: 2, aliases: 0, fields: 3, cost: 1 + (1 + 10 * 1) });
  });
});

describe('measureOperation', () => {
  it('counts depth through fragments and inline fragments without adding to it', () => {
    expect(measure('{ product(id: "1") { ... on Product { ...P } } } fragment P on Product { supplier { name } }')).toEqual({
      depth: 3,
      aliases: 0,
      fields: 3,
      cost: 3,
    });
  });

  it('measures a deep query exactly', () => {
    const query = `{
      product(id: "1") { supplier { products(first: 1) { edges { node {
        supplier { products(first: 1) { edges { node {
          supplier { products(first: 1) { edges { node { id } } } }
        } } } }
      } } } } }
    }`;
    // product 1, supplier 2, products 3, edges 4, node 5, ... node 13, id 14. With first: 1
    // every list has one item, so the cost is one per field.
    const measured = measure(query);
    expect(measured).toEqual({ depth: 14, aliases: 0, fields: 14, cost: 14 });
    const error = checkQueryLimits(measured, DEFAULT_QUERY_LIMITS);
    expect(error?.message).toBe('Query depth 14 exceeds the limit of 12 (MAX_QUERY_DEPTH)');
    expect(error?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'maxDepth', max: 12, measured: 14 });
  });

  it('counts aliases, each fragment spread where it is used', () => {
    expect(measure('{ product(id: "1") { ...F } p2: product(id: "2") { ...F } } fragment F on Product { n: name id }')).toEqual({
      depth: 2,
      aliases: 3,
      fields: 6,
      cost: 6,
    });
    const many = `{ ${Array.from({ length: 31 }, (_, index) => `p${index}: product(id: "${index}") { id }`).join(' ')} }`;
    const measured = measure(many);
    expect(measured).toEqual({ depth: 2, aliases: 31, fields: 62, cost: 62 });
    expect(checkQueryLimits(measured, DEFAULT_QUERY_LIMITS)?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'maxAliases',
      max: 30,
      measured: 31,
    });
  });

  it('counts the fields of a wide query after expanding fragments', () => {
    const query = `{ ${Array.from({ length: 26 }, (_, index) => `p${index}: product(id: "${index}") { ...Wide }`).join(' ')} }
      fragment Wide on Product { id name description gtin category unit totalMonthlySales createdAt updatedAt reliefCertified }`;
    // 26 x (1 product + 10 fields); 26 aliases keep the alias limit.
    const measured = measure(query);
    expect(measured).toEqual({ depth: 2, aliases: 26, fields: 286, cost: 286 });
    const error = checkQueryLimits(measured, DEFAULT_QUERY_LIMITS);
    expect(error?.message).toBe('Query field count 286 exceeds the limit of 250 (MAX_QUERY_FIELDS)');
    expect(error?.extensions).toMatchObject({ limit: 'maxFields', max: 250, measured: 286 });
  });

  it('measures fragments that spread fragments twice without walking every copy', () => {
    // F0 spreads F1 twice, ..., F19 selects id: 2^19 ids once expanded.
    const fragments = Array.from({ length: 19 }, (_, index) => `fragment F${index} on Product { ...F${index + 1} ...F${index + 1} }`).join('\n');
    const document = parse(`{ product(id: "1") { ...F0 } }\n${fragments}\nfragment F19 on Product { id }`);
    const started = Date.now();
    const measured = measureOperation(schema, document, null, {});
    expect(Date.now() - started).toBeLessThan(500);
    expect(measured).toEqual({ depth: 2, aliases: 0, fields: 1 + 2 ** 19, cost: 1 + 2 ** 19 });
  });

  it('multiplies a connection once, at its edges', () => {
    const query = '{ products(first: 100) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }';
    // 1 products + 1 totalCount + (1 + 1) pageInfo + edges (1 + 100 x (1 cursor + 1 node + 1 id)).
    expect(measure(query)).toEqual({ depth: 4, aliases: 0, fields: 8, cost: 1 + 1 + 2 + (1 + 100 * 3) });
  });

  it('reads first from variables and from variable defaults', () => {
    const query = 'query Page($n: Int = 5) { products(first: $n) { totalCount pageInfo { hasNextPage } edges { cursor node { id } } } }';
    expect(measure(query, { n: 37 }).cost).toBe(1 + 1 + 2 + (1 + 37 * 3));
    expect(measure(query, {}).cost).toBe(1 + 1 + 2 + (1 + 5 * 3));
  });

  it('sizes lists by the list arguments given, and other lists by the default size', () => {
    const byIds = 'query ByIds($ids: [ID!]!) { productsByIds(ids: $ids) { id listings { id } } }';
    // 1 + 500 x (1 id + listings (1 + 10 x 1)).
    expect(measure(byIds, { ids: Array.from({ length: 500 }, (_, index) => String(index)) }).cost).toBe(1 + 500 * (1 + 11));
    expect(measure('{ productsByIds(ids: ["1", "2", "3"]) { id listings { id } } }').cost).toBe(1 + 3 * 12);
    // certifyProducts returns an object: its ids size the lists inside it.
    const certify =
      'mutation Certify($productIds: [ID!]!) { certifyProducts(productIds: $productIds, validUntil: "2030-01-01T00:00:00Z") { certified { id } failed { productId } } }';
    expect(measure(certify, { productIds: Array.from({ length: 500 }, (_, index) => String(index)) })).toEqual({
      depth: 3,
      aliases: 0,
      fields: 5,
      cost: 1 + (1 + 500) + (1 + 500),
    });
    expect(measure('{ platforms { code name } }').cost).toBe(1 + 10 * 2);
  });

  it('refuses an expensive fan-out by its cost', () => {
    const query = '{ products(first: 100) { edges { node { supplier { products(first: 100) { edges { node { id name listings { id } } } } } } } } }';
    // Inner node: 1 + id + name + listings (1 + 10) = 14; inner edges 1 + 100 x 14 = 1401;
    // inner products 1402; supplier 1403; outer node 1404; outer edges 1 + 100 x 1404.
    const measured = measure(query);
    expect(measured).toEqual({ depth: 9, aliases: 0, fields: 11, cost: 140402 });
    const error = checkQueryLimits(measured, DEFAULT_QUERY_LIMITS);
    expect(error?.message).toBe('Query cost 140402 exceeds the limit of 50000 (MAX_QUERY_COST)');
    expect(error?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 50000, measured: 140402, http: { status: 400 } });
  });

  it('measures the operation named in a document of several', () => {
    const document = 'query First { platforms { code } } query Other { region(code: "411423") { name } }';
    expect(measure(document, {}, 'Other')).toEqual({ depth: 2, aliases: 0, fields: 2, cost: 2 });
    expect(measure(document, {}, 'First').cost).toBe(11);
  });
});

describe('checkQueryLimits', () => {
  const limits: QueryLimits = { maxDepth: 3, maxAliases: 2, maxFields: 10, maxCost: 100 };

  it('accepts a measure exactly at every limit', () => {
    expect(checkQueryLimits({ depth: 3, aliases: 2, fields: 10, cost: 100 }, limits)).toBeNull();
  });

  it('names the first limit exceeded, in the order depth, aliases, fields, cost', () => {
    expect(checkQueryLimits({ depth: 4, aliases: 3, fields: 11, cost: 101 }, limits)?.extensions.limit).toBe('maxDepth');
    expect(checkQueryLimits({ depth: 3, aliases: 3, fields: 11, cost: 101 }, limits)?.message).toBe(
      'Query alias count 3 exceeds the limit of 2 (MAX_QUERY_ALIASES)',
    );
    expect(checkQueryLimits({ depth: 3, aliases: 2, fields: 11, cost: 101 }, limits)?.extensions.limit).toBe('maxFields');
    expect(checkQueryLimits({ depth: 3, aliases: 2, fields: 10, cost: 101 }, limits)?.extensions.limit).toBe('maxCost');
  });
});

describe('queryLimitsFromEnv', () => {
  it('reads the defaults and the variables', () => {
    expect(queryLimitsFromEnv({})).toEqual(DEFAULT_QUERY_LIMITS);
    expect(queryLimitsFromEnv({ MAX_QUERY_DEPTH: '8', MAX_QUERY_ALIASES: '0', MAX_QUERY_FIELDS: '100', MAX_QUERY_COST: '20000' })).toEqual({
      maxDepth: 8,
      maxAliases: 0,
      maxFields: 100,
      maxCost: 20000,
    });
  });

  it('refuses bad values naming the variable', () => {
    expect(() => queryLimitsFromEnv({ MAX_QUERY_COST: 'lots' })).toThrow(ConfigError);
    expect(() => queryLimitsFromEnv({ MAX_QUERY_COST: 'lots' })).toThrow(/MAX_QUERY_COST/);
    expect(() => queryLimitsFromEnv({ MAX_QUERY_DEPTH: '0' })).toThrow(/MAX_QUERY_DEPTH must be between 1 and 1000/);
  });
});

describe('queryLimitsPlugin in the gateway', () => {
  let apollo: ApolloServer;
  const subgraphCalls: string[] = [];
  const rejected: number[] = [];

  beforeAll(async () => {
    // Subgraphs that record what they are sent and answer the one query the test lets through.
    const gateway = new ApolloGateway({
      supergraphSdl: composeSupergraph({
        products: 'http://products/graphql',
        suppliers: 'http://suppliers/graphql',
        certification: 'http://certification/graphql',
      }),
      buildService: ({ name }): GraphQLDataSource => ({
        async process({ request }) {
          subgraphCalls.push(`${name}: ${request.query}`);
          return { data: { platforms: [{ code: 'jd', name: 'JD' }] } };
        },
      }),
    });
    apollo = new ApolloServer({
      gateway,
      plugins: [queryLimitsPlugin({ ...DEFAULT_QUERY_LIMITS, maxCost: 1000 }, { onRejected: (measured) => rejected.push(measured.cost) })],
    });
    await apollo.start();
  });
  afterAll(async () => {
    await apollo?.stop();
  });

  it('lets an operation within the limits through to the subgraphs', async () => {
    const response = await apollo.executeOperation({ query: '{ platforms { code name } }' });
    expect(response.body.kind === 'single' && response.body.singleResult.data).toEqual({ platforms: [{ code: 'jd', name: 'JD' }] });
    expect(subgraphCalls).toHaveLength(1);
  });

  it('refuses an operation over a limit with HTTP 400 before any subgraph is called', async () => {
    subgraphCalls.length = 0;
    const response = await apollo.executeOperation({
      query: 'query Page($first: Int!) { products(first: $first) { edges { node { id name } } } }',
      variables: { first: 1000 },
    });
    expect(response.http.status).toBe(400);
    const body = response.body.kind === 'single' ? response.body.singleResult : null;
    expect(body?.data).toBeUndefined();
    // 1 + edges (1 + 1000 x (1 + 2)).
    expect(body?.errors).toEqual([
      expect.objectContaining({
        message: 'Query cost 3002 exceeds the limit of 1000 (MAX_QUERY_COST)',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', max: 1000, measured: 3002 },
      }),
    ]);
    expect(subgraphCalls).toEqual([]);
    expect(rejected).toEqual([3002]);
  });
});
