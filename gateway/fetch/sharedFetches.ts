import { IDENTITY_HEADER } from '../../common/identity';
import type { GatewayFeature } from '../features/types';
import type { PostLayer, SubgraphAnswer, SubgraphInfo, SubgraphSavingObserver } from './layers';

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

/**
 * Shares identical reads in flight. Only reads are shared, and only between
 * requests of the same caller: the identity header is part of the key.
 */
export function shareLayer(subgraph: SubgraphInfo, shared: SharedFetches, observeSaving?: SubgraphSavingObserver): PostLayer {
  const onJoin = () => observeSaving?.({ subgraph: subgraph.name, saving: 'shared_fetch', count: 1 });
  return (post, next) => shared.run(post.call.read ? `${post.headers[IDENTITY_HEADER]}\n${post.body}` : null, () => next(post), onJoin);
}

export function sharedReads(observeSaving: SubgraphSavingObserver): GatewayFeature {
  return { name: 'shared reads', subgraphPost: (subgraph) => shareLayer(subgraph, new SharedFetches(), observeSaving) };
}
