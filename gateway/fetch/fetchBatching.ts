import { Kind, OperationTypeNode, parse, print, visit, type DefinitionNode, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { GatewayFeature } from '../features/types';
import { alignFetches } from './planAlignment';
import type { PostLayer, SubgraphAnswer, SubgraphInfo, SubgraphPost, SubgraphSavingObserver } from './layers';

/** One subgraph read waiting to go out, as the query planner wrote it. */
export interface BatchMember {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
}

/** A read of the subgraph's answer for one member of a merged request. */
export interface MemberResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[] }[];
  extensions?: Record<string, unknown>;
}

// A member's document rewritten for position `index` of a merged request:
// its variables, root fields (by alias) and fragments prefixed, so that any
// number of members fit in one operation without clashing.
interface MemberPart {
  variableDefinitions: string[];
  selections: string[];
  fragments: string[];
  /** The member's root response keys, in order. */
  responseKeys: string[];
  variableNames: string[];
}

const prefixOf = (index: number) => `_b${index}_`;

function rewrite(query: string, index: number): MemberPart | null {
  let document;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return null;
  }
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].operation !== OperationTypeNode.QUERY || operations[0].directives?.length) return null;
  if (!operations[0].selectionSet.selections.every((selection) => selection.kind === Kind.FIELD)) return null;
  const prefix = prefixOf(index);
  const renamed = visit(document, {
    Variable: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    FragmentDefinition: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    FragmentSpread: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
  });
  const operation = renamed.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const fields = operation.selectionSet.selections as FieldNode[];
  return {
    variableDefinitions: (operation.variableDefinitions ?? []).map((definition) => print(definition)),
    selections: fields.map((field) => print({ ...field, alias: { kind: Kind.NAME, value: prefix + (field.alias ?? field.name).value } })),
    fragments: renamed.definitions.filter((definition: DefinitionNode) => definition.kind === Kind.FRAGMENT_DEFINITION).map((definition) => print(definition)),
    responseKeys: fields.map((field) => (field.alias ?? field.name).value),
    variableNames: (operations[0].variableDefinitions ?? []).map((definition) => definition.variable.name.value),
  };
}

/**
 * Merges reads for one subgraph into one request and splits the answer, the
 * way a planner that knew about it would have written one fetch: the fetches
 * of one operation that run side by side against the same subgraph (a page's
 * supplier entities and its origin regions) cost the subgraph one request,
 * one pass through its pipeline, and one batch per DataLoader.
 *
 * Rewritten documents are remembered per (query, position), so merging a
 * plan's fetches again costs string joins only.
 */
export class FetchMerger {
  private readonly parts = new Map<string, MemberPart | null>();

  constructor(private readonly capacity = 2000) {}

  private part(query: string, index: number): MemberPart | null {
    const key = `${index}\n${query}`;
    let part = this.parts.get(key);
    if (part === undefined) {
      if (this.parts.size >= this.capacity) this.parts.clear();
      part = rewrite(query, index);
      this.parts.set(key, part);
    }
    return part;
  }

  /** One request for all members, or null when one of them cannot be merged. */
  merge(members: readonly BatchMember[]): { query: string; variables: Record<string, unknown>; split(response: MemberResponse): MemberResponse[] } | null {
    const parts: MemberPart[] = [];
    for (const [index, member] of members.entries()) {
      const part = this.part(member.query, index);
      if (!part) return null;
      parts.push(part);
    }
    const variables: Record<string, unknown> = {};
    members.forEach((member, index) => {
      for (const name of parts[index].variableNames) {
        if (member.variables && name in member.variables) variables[prefixOf(index) + name] = member.variables[name];
      }
    });
    const definitions = parts.flatMap((part) => part.variableDefinitions);
    const query = `query${definitions.length ? `(${definitions.join(',')})` : ''}{${parts.flatMap((part) => part.selections).join(' ')}}${parts
      .flatMap((part) => part.fragments)
      .join(' ')}`;
    return {
      query,
      variables,
      split: (response) =>
        parts.map((part, index) => {
          const prefix = prefixOf(index);
          const data = response.data ? Object.fromEntries(part.responseKeys.map((key) => [key, response.data![prefix + key] ?? null])) : response.data;
          const errors = (response.errors ?? []).flatMap((error) => {
            const head = error.path?.[0];
            if (typeof head !== 'string' || !head.startsWith('_b')) return [error];
            if (!head.startsWith(prefix)) return [];
            return [{ ...error, path: [head.slice(prefix.length), ...error.path!.slice(1)] }];
          });
          return { data, ...(errors.length ? { errors } : {}), ...(response.extensions ? { extensions: response.extensions } : {}) };
        }),
    };
  }
}

interface Waiting {
  post: SubgraphPost;
  member: BatchMember;
  resolve: (answer: SubgraphAnswer) => void;
  reject: (error: unknown) => void;
}

/**
 * A read of a client request waits for the end of the current turn of the
 * event loop: the query plan starts the fetches that run side by side in one
 * turn, and those to this subgraph then go out as one merged request (with
 * the headers of the first). Anything else goes straight on.
 */
export function mergeLayer(subgraph: SubgraphInfo, merger: FetchMerger, observeSaving?: SubgraphSavingObserver): PostLayer {
  /** Reads of one client request (by its context) waiting for the end of the turn. */
  const waiting = new Map<object, Waiting[]>();

  const flush = async (context: object, next: (post: SubgraphPost) => Promise<SubgraphAnswer>): Promise<void> => {
    const list = waiting.get(context) ?? [];
    waiting.delete(context);
    const alone = (entry: Waiting) => next(entry.post).then(entry.resolve, entry.reject);
    const merged = list.length > 1 ? merger.merge(list.map((entry) => entry.member)) : null;
    if (!merged) {
      await Promise.all(list.map(alone));
      return;
    }
    let answer: SubgraphAnswer;
    try {
      answer = await next({ ...list[0].post, body: JSON.stringify({ query: merged.query, variables: merged.variables }) });
    } catch (error) {
      // Unreachable or timed out: every read fails as its own fetch would have (and may be retried).
      for (const entry of list) entry.reject(error);
      return;
    }
    let split: MemberResponse[] | null = null;
    try {
      const response = answer.status >= 200 && answer.status <= 299 ? (JSON.parse(answer.text) as MemberResponse) : null;
      if (response && response.data) split = merged.split(response);
    } catch {
      split = null;
    }
    if (!split) {
      // The subgraph answered, but not as expected (it refused the merged
      // document, or answered without data): each read goes out on its own.
      await Promise.all(list.map(alone));
      return;
    }
    observeSaving?.({ subgraph: subgraph.name, saving: 'merged_fetch', count: list.length - 1 });
    const { status, statusText, cacheControl } = answer;
    list.forEach((entry, index) => entry.resolve({ status, statusText, cacheControl, text: '', parsed: split![index] }));
  };

  return (post, next) => {
    const { options } = post.call;
    if (!post.call.read || !('incomingRequestContext' in options)) return next(post);
    const context = options.context;
    const { query, operationName, variables } = options.request;
    return new Promise((resolve, reject) => {
      let list = waiting.get(context);
      if (!list) {
        list = [];
        waiting.set(context, list);
        setImmediate(() => void flush(context, next));
      }
      list.push({ post, member: { query: query!, operationName, variables }, resolve, reject });
    });
  };
}

/** Reads of one request to one subgraph that go out side by side, merged; plans lined up so that more of them do (planAlignment.ts). */
export function mergedReads(observeSaving: SubgraphSavingObserver): GatewayFeature {
  return { name: 'merged reads', queryPlan: alignFetches, subgraphPost: (subgraph) => mergeLayer(subgraph, new FetchMerger(), observeSaving) };
}
