/**
 * What a subgraph answered, kept as text so that every request that shares
 * the fetch parses its own copy: the gateway merges entity data into the
 * objects it receives, so two operations must never hold the same objects.
 */
export interface SubgraphAnswer {
  status: number;
  statusText: string;
  /** The Cache-Control header, which caps how long the gateway may cache the operation. */
  cacheControl: string | null;
  text: string;
  /** The answer already parsed (one member's part of a merged request); then `text` is not read. */
  parsed?: object;
}

/**
 * A deep copy of parsed JSON (objects, arrays and primitives only): what a
 * subgraph answered, copied for a second reader faster than structuredClone,
 * which must handle every kind of value.
 */
export function copyJson<Value>(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyJson) as Value;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    // A "__proto__" key (JSON.parse makes it an own property) stays a plain property.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy as Value;
}

/**
 * Identical reads in flight share one fetch: when concurrent client requests
 * need the same subgraph query with the same variables for the same caller,
 * the subgraph is asked once and each request gets the answer. Nothing is
 * kept once the answer has arrived (that is the response cache's job, which
 * can be off): this only removes duplicate work that is under way.
 */
export class SharedFetches {
  private readonly inFlight = new Map<string, { answer: Promise<SubgraphAnswer>; take: (answer: SubgraphAnswer) => SubgraphAnswer }>();

  /** `key` null: not shareable. `onJoin` is told when a fetch joins one under way. */
  run(key: string | null, fetchAnswer: () => Promise<SubgraphAnswer>, onJoin?: () => void): Promise<SubgraphAnswer> {
    if (key === null) return fetchAnswer();
    const running = this.inFlight.get(key);
    if (running) {
      onJoin?.();
      return running.answer.then(running.take);
    }
    // Every taker's copy is made as the answer arrives, before any of them
    // resumes: the first gets the answer itself, the others their own copies.
    let taken = 0;
    const entry = {
      answer: fetchAnswer().finally(() => this.inFlight.delete(key)),
      take: (answer: SubgraphAnswer) => (taken++ === 0 || answer.parsed === undefined ? answer : { ...answer, parsed: copyJson(answer.parsed) }),
    };
    this.inFlight.set(key, entry);
    return entry.answer.then(entry.take);
  }
}

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
