import { copyJson } from './sharedFetches';
import type { GatewayFeature } from '../features/types';
import type { CallLayer, SubgraphInfo, SubgraphSavingObserver } from './layers';

interface EntitiesResponse {
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ readonly path?: ReadonlyArray<string | number> }>;
}

/**
 * Collapses repeated entity representations (the same supplier behind every
 * product of a page) before an `_entities` fetch goes out, and spreads the
 * answer back so that the gateway sees one entity per representation it
 * sent, each a separate object. Errors on a collapsed entity are repeated for
 * every position it stood for.
 */
export function collapseRepresentations(variables: Record<string, unknown> | undefined): {
  variables: Record<string, unknown> | undefined;
  /** Representations not sent. */
  saved: number;
  expand(response: EntitiesResponse): void;
} | null {
  const representations = variables?.representations;
  if (!Array.isArray(representations) || representations.length < 2) return null;
  const unique: unknown[] = [];
  const positionOf = new Map<string, number>();
  const uniqueIndex = representations.map((representation) => {
    const key = JSON.stringify(representation);
    let index = positionOf.get(key);
    if (index === undefined) {
      index = unique.push(representation) - 1;
      positionOf.set(key, index);
    }
    return index;
  });
  if (unique.length === representations.length) return null;
  return {
    variables: { ...variables, representations: unique },
    saved: representations.length - unique.length,
    expand(response) {
      const entities = response.data?._entities as unknown[] | undefined;
      if (Array.isArray(entities) && entities.length === unique.length) {
        const used = new Set<number>();
        response.data!._entities = uniqueIndex.map((index) => {
          if (!used.has(index)) {
            used.add(index);
            return entities[index];
          }
          return copyJson(entities[index]);
        });
      }
      if (response.errors?.length) {
        const positions = new Map<number, number[]>();
        uniqueIndex.forEach((index, position) => {
          const list = positions.get(index);
          if (list) list.push(position);
          else positions.set(index, [position]);
        });
        response.errors = response.errors.flatMap((error) => {
          const path = error.path;
          if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [error];
          return (positions.get(path[1]) ?? [path[1]]).map((position) => ({ ...error, path: ['_entities', position, ...path.slice(2)] }));
        });
      }
    },
  };
}

/** Repeated representations go out once; the answer is spread back. */
export function collapseLayer(subgraph: SubgraphInfo, observeSaving?: SubgraphSavingObserver): CallLayer {
  return async (call, next) => {
    const collapsed = collapseRepresentations(call.options.request.variables);
    if (!collapsed) return next(call);
    call.options.request.variables = collapsed.variables;
    observeSaving?.({ subgraph: subgraph.name, saving: 'collapsed_representations', count: collapsed.saved });
    const response = await next(call);
    collapsed.expand(response);
    return response;
  };
}

export function collapsedRepresentations(observeSaving: SubgraphSavingObserver): GatewayFeature {
  return { name: 'collapsed representations', subgraphCall: (subgraph) => collapseLayer(subgraph, observeSaving) };
}
