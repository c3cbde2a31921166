import type { RequestHandler } from 'express';
import { GraphQLError, Kind, parse, type DocumentNode, type SelectionSetNode } from 'graphql';
import { envInt } from '../../common/environment';
import { ErrorCode } from '../../common/errors';
import type { Logger } from '../../common/logging';
import type { GatewayFeature } from './types';

type Env = Record<string, string | undefined>;

/**
 * What a document may cost the gateway's own thread before the limits of
 * queryLimits.ts can run: parsing, then validation. Both are synchronous, so
 * one large document holds every other request back for as long as they take.
 */
export interface DocumentLimits {
  /**
   * MAX_QUERY_TOKENS: graphql-js stops parsing after this many tokens, so a
   * megabyte of repeated fields costs microseconds, not a second. The
   * largest contract or importer operation has 127 tokens; Apollo Client's
   * `__typename` additions bring it under 200.
   */
  maxTokens: number;
  /**
   * MAX_QUERY_SELECTIONS: the validation budget. Validation work grows with
   * the selections after fragments are expanded (overlapping-field checks
   * compare them with each other), and a few hundred tokens of fragments
   * that spread each other expand to millions. Counted before validation,
   * memoised per fragment, so refusing costs one pass over the document.
   */
  maxSelections: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxTokens: 2000, maxSelections: 2000 };

export function documentLimitsFromEnv(env: Env): DocumentLimits {
  return {
    maxTokens: envInt(env, 'MAX_QUERY_TOKENS', DEFAULT_DOCUMENT_LIMITS.maxTokens, { min: 100, max: 1_000_000 }),
    maxSelections: envInt(env, 'MAX_QUERY_SELECTIONS', DEFAULT_DOCUMENT_LIMITS.maxSelections, { min: 10, max: 10_000_000 }),
  };
}

function tooComplex(message: string, limit: keyof DocumentLimits, max: number, measured?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, max, ...(measured === undefined ? {} : { measured }) },
  });
}

/**
 * Selections of the whole document with every fragment spread replaced by
 * the fragment's selections; stops counting once past `max`. A fragment that
 * spreads itself counts once (validation refuses the cycle).
 */
export function expandedSelections(document: DocumentNode, max: number): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const sizes = new Map<string, number>();
  const visiting = new Set<string>();
  const count = (selectionSet: SelectionSetNode | undefined): number => {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        let size = sizes.get(name);
        if (size === undefined) {
          if (visiting.has(name)) continue;
          visiting.add(name);
          size = count(fragments.get(name));
          visiting.delete(name);
          sizes.set(name, size);
        }
        total += size;
      } else {
        total += 1 + count(selection.selectionSet);
      }
      if (total > max) return max + 1;
    }
    return total;
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total += count(definition.selectionSet);
    if (total > max) return max + 1;
  }
  return total;
}

/** The document's problem with the limits, or null; parsing stops at the token limit. */
export function checkDocument(query: string, limits: DocumentLimits): GraphQLError | null {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (err) {
    if (err instanceof GraphQLError && /contains more th(?:an|at) \d+ tokens/.test(err.message)) {
      return tooComplex(`The document has more than ${limits.maxTokens} tokens (MAX_QUERY_TOKENS).`, 'maxTokens', limits.maxTokens);
    }
    // A syntax error: Apollo Server answers it with GRAPHQL_PARSE_FAILED and its position.
    return null;
  }
  const selections = expandedSelections(document, limits.maxSelections);
  if (selections > limits.maxSelections) {
    return tooComplex(`The document expands to more than ${limits.maxSelections} selections (MAX_QUERY_SELECTIONS).`, 'maxSelections', limits.maxSelections);
  }
  return null;
}

/**
 * Mounted after the body parser and the response cache (a hit was checked
 * when it was first answered), before Apollo Server: a refused document is
 * answered with HTTP 400 before Apollo parses or validates anything.
 */
export function documentLimitsMiddleware(limits: DocumentLimits, onRejected?: (error: GraphQLError) => void): RequestHandler {
  return (req, res, next) => {
    const body = req.method === 'POST' ? (req.body as { query?: unknown } | undefined) : (req.query as { query?: unknown });
    const query = body && typeof body === 'object' && !Array.isArray(body) ? body.query : undefined;
    const error = typeof query === 'string' ? checkDocument(query, limits) : null;
    if (!error) return next();
    onRejected?.(error);
    res.status(400).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  };
}

/**
 * MAX_QUERY_TOKENS and MAX_QUERY_SELECTIONS, checked on /graphql before
 * Apollo parses; Apollo's parser keeps the token limit too, as a backstop for
 * documents that reach it without the check.
 */
export function documentLimits(limits: DocumentLimits, log: Logger): GatewayFeature {
  return {
    name: 'document limits',
    http: [documentLimitsMiddleware(limits, (error) => log.info({ msg: 'document refused', limit: error.extensions.limit }))],
    apollo: { parseOptions: { maxTokens: limits.maxTokens } },
  };
}
