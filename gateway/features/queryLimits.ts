import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { envInt } from '../../common/environment';
import { ErrorCode } from '../../common/errors';
import type { Logger } from '../../common/logging';
import type { GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

type Env = Record<string, string | undefined>;

/**
 * Limits every operation must keep before the gateway plans it. They guard the
 * subgraphs (and their databases), not the gateway's CPU: a query refused here
 * never reaches a subgraph.
 */
export interface QueryLimits {
  /** MAX_QUERY_DEPTH: fields nested inside each other; `{ a { b } }` has depth 2. */
  maxDepth: number;
  /** MAX_QUERY_ALIASES: aliased fields, after expanding fragments. */
  maxAliases: number;
  /** MAX_QUERY_FIELDS: field selections, after expanding fragments (each spread counted where used). */
  maxFields: number;
  /** MAX_QUERY_COST: estimated fields resolved, list sizes multiplied in (see measureOperation). */
  maxCost: number;
}

/**
 * Defaults, against the measures of the largest legitimate operations (pinned
 * by test/queryLimits.test.ts):
 * - depth 12: the contract's deepest operation (CertificationQueue) has depth 7.
 * - aliases 30: the contract uses none; 30 still lets a client batch a page of
 *   `product(id:)` lookups, while productsByIds is the way to fetch many.
 * - fields 250: the widest contract operation (CatalogPage) selects 49
 *   fields; Apollo Client adding `__typename` to every selection set brings it
 *   to 63. 250 leaves room for partner frontends to grow their documents but
 *   refuses "select everything through every relation" queries.
 * - cost 50000: CatalogPage at first: 100 costs 12406 (100 products, each
 *   with an estimated 10 listings; 16308 with `__typename` everywhere). The
 *   importer's own UpsertListings batch of 1000 listings
 *   (importer/operations.graphql, BATCH_SIZE) costs 27008 (1000 results, each
 *   with an estimated 10 problems), and the limit has to let it through with
 *   headroom. 50000 does, and still refuses every three-level fan-out of
 *   first: 100 connections (over 1,000,000) and every two-level 100 x 100
 *   fan-out that selects more than three fields per inner node.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 30, maxFields: 250, maxCost: 50000 };

/** Expected size of a list whose size no argument tells (listings of a product, history, problems). */
export const DEFAULT_LIST_SIZE = 10;

/** Arguments that slice a list or connection to at most that many items. */
const SLICING_ARGUMENTS = ['first'];

export function queryLimitsFromEnv(env: Env): QueryLimits {
  return {
    maxDepth: envInt(env, 'MAX_QUERY_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth, { min: 1, max: 1000 }),
    maxAliases: envInt(env, 'MAX_QUERY_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases, { min: 0, max: 100_000 }),
    maxFields: envInt(env, 'MAX_QUERY_FIELDS', DEFAULT_QUERY_LIMITS.maxFields, { min: 1, max: 1_000_000 }),
    maxCost: envInt(env, 'MAX_QUERY_COST', DEFAULT_QUERY_LIMITS.maxCost, { min: 1, max: 1_000_000_000 }),
  };
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  fields: number;
  cost: number;
}

/**
 * Measures one operation of a document that has passed validation against
 * `schema` (the API schema the gateway serves).
 *
 * - depth: the longest chain of nested fields; root fields are at depth 1.
 *   Fragment spreads and inline fragments add no depth of their own.
 * - aliases / fields: aliased fields / all fields, counted after expanding
 *   fragments, so a fragment spread three times counts three times.
 * - cost: every field costs 1; a field with a selection set adds the cost of
 *   its selection times its list size (1 unless it returns a list):
 *   cost(field) = 1 + size(field) * sum(cost(child)).
 *   A field's sizing argument is `first` when given, else the length of a
 *   list argument given to it (`ids`, `productIds`, `listings`). The sizing
 *   argument sizes the field itself when it returns a list (productsByIds);
 *   when it returns an object, it sizes the lists directly inside that object
 *   instead: `edges` of a connection, `certified`/`failed` of certifyProducts,
 *   `results` of upsertListings. So in `products(first: 100) { totalCount
 *   edges { node { id } } }` the connection and totalCount count once and
 *   edges counts 100 times (1 + 1 + (1 + 100 * (1 + 1))): the multiplier is
 *   applied once, at `edges`, never again at `node`. Any other list counts
 *   DEFAULT_LIST_SIZE items.
 *
 * Fields under @skip/@include count as if selected: the measure is an upper
 * bound that does not depend on which branch the variables pick. Introspection
 * (`__schema`, `__type`) is not measured: the gateway answers it itself, no
 * subgraph sees it, and graphql-js's MaxIntrospectionDepthRule already bounds
 * its nesting during validation.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null,
  variables: Record<string, unknown>,
): OperationMeasure {
  const operation = findOperation(document, operationName);
  const rootType =
    operation.operation === OperationTypeNode.QUERY
      ? schema.getQueryType()
      : operation.operation === OperationTypeNode.MUTATION
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!rootType) throw new Error(`the schema has no ${operation.operation} type`);

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // Variable defaults apply when the request leaves the variable out.
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) values[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  Object.assign(values, variables);

  // A fragment measures the same wherever it is spread (depth is relative to
  // the spread), so each is walked once per list size imposed on it. Without
  // this, fragments spreading other fragments twice, a dozen levels down,
  // would make the measuring itself exponential.
  const memo = new Map<string, OperationMeasure>();
  const walking = new Set<string>();

  const walkSelectionSet = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, imposedSize: number | null): OperationMeasure => {
    const total: OperationMeasure = { depth: 0, aliases: 0, fields: 0, cost: 0 };
    const add = (part: OperationMeasure) => {
      total.depth = Math.max(total.depth, part.depth);
      total.aliases += part.aliases;
      total.fields += part.fields;
      total.cost += part.cost;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        add(walkField(selection, parentType, imposedSize));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(walkSelectionSet(selection.selectionSet, typeCondition(schema, selection.typeCondition?.name.value) ?? parentType, imposedSize));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`unknown fragment ${name}`);
        const key = `${name}:${imposedSize ?? ''}`;
        let measured = memo.get(key);
        if (!measured) {
          if (walking.has(name)) throw new Error(`fragment ${name} spreads itself`);
          walking.add(name);
          measured = walkSelectionSet(fragment.selectionSet, typeCondition(schema, fragment.typeCondition.name.value) ?? parentType, imposedSize);
          walking.delete(name);
          memo.set(key, measured);
        }
        add(measured);
      }
    }
    return total;
  };

  const walkField = (node: FieldNode, parentType: GraphQLCompositeType, imposedSize: number | null): OperationMeasure => {
    const name = node.name.value;
    if (name === '__schema' || name === '__type') return { depth: 0, aliases: 0, fields: 0, cost: 0 };
    const own: OperationMeasure = { depth: 1, aliases: node.alias ? 1 : 0, fields: 1, cost: 1 };
    if (name === '__typename' || !node.selectionSet) return own;
    const field = fieldDefinition(parentType, name);
    const returnsList = isListType(getNullableType(field.type));
    const sizing = sizingArgument(field, node, values);
    const size = returnsList ? (sizing ?? imposedSize ?? DEFAULT_LIST_SIZE) : 1;
    const child = walkSelectionSet(node.selectionSet, getNamedType(field.type) as GraphQLCompositeType, returnsList ? null : sizing);
    return {
      depth: 1 + child.depth,
      aliases: own.aliases + child.aliases,
      fields: 1 + child.fields,
      cost: 1 + size * child.cost,
    };
  };

  const measured = walkSelectionSet(operation.selectionSet, rootType, null);
  // Fragment bombs can overflow even a double; clamp so the number stays printable.
  return { ...measured, cost: Math.min(measured.cost, Number.MAX_SAFE_INTEGER) };
}

function findOperation(document: DocumentNode, operationName: string | null): OperationDefinitionNode {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName === null && operations.length === 1 ? operations[0] : operations.find((candidate) => candidate.name?.value === operationName);
  if (!operation)
    throw new Error(operationName === null ? 'the document must hold exactly one operation when no name is given' : `no operation named ${operationName}`);
  return operation;
}

function typeCondition(schema: GraphQLSchema, name: string | undefined): GraphQLCompositeType | undefined {
  if (name === undefined) return undefined;
  const type = schema.getType(name);
  if (!type || !isCompositeType(type)) throw new Error(`type condition ${name} is not an object, interface or union type`);
  return type;
}

function fieldDefinition(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> {
  const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
  if (!field) throw new Error(`${parentType.name} has no field ${name}; measure only validated documents`);
  return field;
}

/** How many items the field's arguments ask for: `first`, else the longest list argument; null when none says. */
function sizingArgument(field: GraphQLField<unknown, unknown>, node: FieldNode, values: Record<string, unknown>): number | null {
  const given = new Map((node.arguments ?? []).map((argument) => [argument.name.value, valueFromASTUntyped(argument.value, values)]));
  const valueOf = (name: string): unknown => (given.has(name) ? given.get(name) : field.args.find((arg) => arg.name === name)?.defaultValue);
  for (const slicing of SLICING_ARGUMENTS) {
    if (!field.args.some((arg) => arg.name === slicing)) continue;
    const value = valueOf(slicing);
    // A `first` that is no number fails variable coercion later; size it like an unsized list until then.
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.floor(value));
  }
  let longest: number | null = null;
  for (const arg of field.args) {
    if (!isListType(getNullableType(arg.type))) continue;
    const value = valueOf(arg.name);
    if (value === undefined || value === null) continue;
    // Input coercion turns a single value into a list of one.
    const length = Array.isArray(value) ? value.length : 1;
    longest = Math.max(longest ?? 0, length);
  }
  return longest;
}

const LIMIT_NAMES = [
  { limit: 'maxDepth', measure: 'depth', label: 'depth', variable: 'MAX_QUERY_DEPTH' },
  { limit: 'maxAliases', measure: 'aliases', label: 'alias count', variable: 'MAX_QUERY_ALIASES' },
  { limit: 'maxFields', measure: 'fields', label: 'field count', variable: 'MAX_QUERY_FIELDS' },
  { limit: 'maxCost', measure: 'cost', label: 'cost', variable: 'MAX_QUERY_COST' },
] as const;

/**
 * Null when the measure keeps every limit, else the error for the first limit
 * exceeded (in the order depth, aliases, fields, cost). HTTP 400: the client
 * has to change its query, retrying it is pointless.
 */
export function checkQueryLimits(measured: OperationMeasure, limits: QueryLimits): GraphQLError | null {
  for (const { limit, measure, label, variable } of LIMIT_NAMES) {
    const max = limits[limit];
    const value = measured[measure];
    if (value > max) {
      return new GraphQLError(`Query ${label} ${value} exceeds the limit of ${max} (${variable})`, {
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, max, measured: value, http: { status: 400 } },
      });
    }
  }
  return null;
}

export interface QueryLimitsPluginOptions {
  /** Called for each refused operation, e.g. to count or log them while tuning the limits. */
  onRejected?: (measured: OperationMeasure, error: GraphQLError) => void;
}

/**
 * Refuses operations over the limits in didResolveOperation: the document is
 * parsed and validated then, but the gateway has not planned or sent anything
 * to a subgraph yet.
 */
export function queryLimitsPlugin<TContext extends BaseContext>(limits: QueryLimits, options: QueryLimitsPluginOptions = {}): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const measured = measureOperation(schema, document, operationName ?? null, request.variables ?? {});
          const error = checkQueryLimits(measured, limits);
          if (error) {
            options.onRejected?.(measured, error);
            throw error;
          }
        },
      };
    },
  };
}

/** MAX_QUERY_DEPTH, MAX_QUERY_ALIASES, MAX_QUERY_FIELDS, MAX_QUERY_COST, checked once Apollo has validated the operation. */
export function queryLimits(limits: QueryLimits, log: Logger): GatewayFeature {
  return {
    name: 'query limits',
    plugins: [
      queryLimitsPlugin<GatewayContext>(limits, {
        onRejected: (measured, error) => log.info({ msg: 'operation refused', limit: error.extensions.limit, ...measured }),
      }),
    ],
  };
}
