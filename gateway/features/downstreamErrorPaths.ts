import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../common/errors';
import type { GatewayContext } from '../requestContext';

type Path = readonly (string | number)[];

/** Which subgraphs resolve each `Type.field`, read from the supergraph's join directives. */
export type FieldOwners = Map<string, Set<string>>;

export function fieldOwners(supergraphSdl: string): FieldOwners {
  const document = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  const owners: FieldOwners = new Map();
  const argument = (directive: { arguments?: readonly { name: { value: string }; value: { kind: string } }[] }, name: string) => {
    const value = directive.arguments?.find((arg) => arg.name.value === name)?.value as { kind: string; value?: unknown } | undefined;
    return value?.value;
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const name = value.directives?.find((directive) => directive.name.value === 'join__graph');
        graphNames.set(value.name.value, String(name ? argument(name, 'name') : value.name.value.toLowerCase()));
      }
    }
  }
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeGraphs = (definition.directives ?? [])
      .filter((directive) => directive.name.value === 'join__type')
      .map((directive) => graphNames.get(String(argument(directive, 'graph'))) ?? String(argument(directive, 'graph')));
    for (const field of definition.fields ?? []) {
      const joins = (field.directives ?? []).filter((directive) => directive.name.value === 'join__field');
      const graphs = joins.length
        ? joins
            .filter((directive) => argument(directive, 'external') !== true && argument(directive, 'graph') !== undefined)
            .map((directive) => graphNames.get(String(argument(directive, 'graph'))) ?? String(argument(directive, 'graph')))
        : typeGraphs;
      owners.set(`${definition.name.value}.${field.name.value}`, new Set(graphs));
    }
  }
  return owners;
}

/** The field nodes of `selectionSet` by response key, fragments expanded (type conditions ignored: an upper bound). */
function fieldsByKey(selectionSet: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, into = new Map<string, FieldNode[]>()) {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      into.set(key, [...(into.get(key) ?? []), selection]);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      fieldsByKey(selection.selectionSet, fragments, into);
    } else {
      fieldsByKey(fragments.get(selection.name.value)?.selectionSet, fragments, into);
    }
  }
  return into;
}

/** Concrete paths for a path of Apollo's query plan, where `@` stands for every element of a list. */
function hydrate(data: unknown, path: Path, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (path.length === 0) {
    out.push(prefix);
    return out;
  }
  if (data === null || data === undefined) {
    out.push(prefix);
    return out;
  }
  const [head, ...rest] = path;
  if (head === '@' && Array.isArray(data)) {
    data.forEach((item, index) => hydrate(item, rest, [...prefix, index], out));
    return out;
  }
  hydrate((data as Record<string | number, unknown>)[head], rest, [...prefix, head], out);
  return out;
}

const valueAt = (data: unknown, path: Path) =>
  path.reduce<unknown>((node, key) => (node === null || node === undefined ? node : (node as Record<string | number, unknown>)[key]), data);

/**
 * Apollo's gateway reports a failed subgraph fetch once, at the path where
 * its entities sit, with `@` for "every element" (`products.edges.@.node`).
 * A client needs the error where the value is missing: this rewrites each
 * such error into one per missing field the failed subgraph owns
 * (`products.edges.3.node.reliefCertified`), or at the entity when the entity
 * itself is null. Null then reads as "unknown now", with its reason beside it.
 */
export function downstreamErrorPaths(
  schema: () => GraphQLSchema | null,
  owners: () => FieldOwners | null,
  errors: readonly GraphQLFormattedError[],
  data: Record<string, unknown> | null | undefined,
  document: DocumentNode,
  operationName: string | null,
): GraphQLFormattedError[] {
  const apiSchema = schema();
  const ownership = owners();
  const operation = document.definitions.find(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && (operationName === null || definition.name?.value === operationName),
  );
  if (!apiSchema || !ownership || !operation || operation.kind !== Kind.OPERATION_DEFINITION) return [...errors];
  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  const root = apiSchema.getRootType(operation.operation);
  const out: GraphQLFormattedError[] = [];
  const seen = new Set<string>();
  const push = (error: GraphQLFormattedError, path: Path) => {
    const key = `${String(error.extensions?.serviceName)}|${JSON.stringify(path)}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ ...error, path: [...path] });
  };
  for (const error of errors) {
    const serviceName = error.extensions?.serviceName;
    if (error.extensions?.code !== ErrorCode.DOWNSTREAM_SERVICE_ERROR || typeof serviceName !== 'string' || !error.path || !root || !data) {
      out.push(error);
      continue;
    }
    for (const path of hydrate(data, error.path)) {
      const entity = valueAt(data, path);
      if (entity === null || entity === undefined || typeof entity !== 'object' || Array.isArray(entity)) {
        push(error, path);
        continue;
      }
      // The type and selections at `path`, following the operation.
      let type: ReturnType<typeof getNamedType> = root;
      let selections: FieldNode[] = [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '' }, selectionSet: operation.selectionSet } as FieldNode];
      for (const key of path) {
        if (typeof key === 'number') continue;
        const nodes = selections.flatMap((node) => fieldsByKey(node.selectionSet, fragments).get(key) ?? []);
        const parent: unknown = type;
        if (!nodes.length || !(isObjectType(parent) || isInterfaceType(parent))) break;
        const field = parent.getFields()[nodes[0].name.value];
        if (!field) break;
        type = getNamedType(field.type);
        selections = nodes;
      }
      const typeName = typeof (entity as { __typename?: unknown }).__typename === 'string' ? String((entity as { __typename: string }).__typename) : type.name;
      const missing = [...fieldsByKey({ kind: Kind.SELECTION_SET, selections: selections.flatMap((node) => node.selectionSet?.selections ?? []) }, fragments)]
        .filter(([key, nodes]) => (entity as Record<string, unknown>)[key] === null && ownership.get(`${typeName}.${nodes[0].name.value}`)?.has(serviceName))
        .map(([key]) => key);
      if (missing.length === 0) push(error, path);
      for (const key of missing) push(error, [...path, key]);
    }
  }
  return out;
}

/** Runs `downstreamErrorPaths` on every answer with downstream errors. */
export function downstreamErrorPathsPlugin(schema: () => GraphQLSchema | null, owners: () => FieldOwners | null): ApolloServerPlugin<GatewayContext> {
  return {
    requestDidStart: async () => ({
      willSendResponse: async ({ response, document, operationName }) => {
        if (response.body.kind !== 'single' || !document) return;
        const result = response.body.singleResult;
        if (!result.errors?.some((error) => error.extensions?.code === ErrorCode.DOWNSTREAM_SERVICE_ERROR)) return;
        result.errors = downstreamErrorPaths(schema, owners, result.errors, result.data, document, operationName ?? null);
      },
    }),
  };
}
