import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { GraphQLError, Kind, visit, type ValueNode } from 'graphql';
import { badUserInput } from '../../common/errors';
import type { GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

/**
 * Input that is wrong in a way only a store or Apollo's internals would
 * notice, refused at the gateway with BAD_USER_INPUT instead of surfacing
 * as an INTERNAL_SERVER_ERROR: NUL characters in text (PostgreSQL text
 * cannot hold them) and an automatic persisted query whose hash is not the
 * hash of the query sent with it.
 */

function refused(field: string, message: string): GraphQLError {
  const error = badUserInput(field, message);
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status: 400 } } });
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function extensionsOf(req: Parameters<RequestHandler>[0]): unknown {
  if (req.method === 'POST') return (req.body as { extensions?: unknown } | undefined)?.extensions;
  const given = (req.query as { extensions?: unknown }).extensions;
  if (typeof given !== 'string') return undefined;
  try {
    return JSON.parse(given);
  } catch {
    return undefined;
  }
}

function queryOf(req: Parameters<RequestHandler>[0]): unknown {
  return req.method === 'POST' ? (req.body as { query?: unknown } | undefined)?.query : (req.query as { query?: unknown }).query;
}

/** The persisted query extension's problem, or null (no extension, or a well-formed one whose hash fits). */
export function persistedQueryProblem(query: unknown, extensions: unknown): GraphQLError | null {
  if (!extensions || typeof extensions !== 'object') return null;
  const persisted = (extensions as { persistedQuery?: unknown }).persistedQuery;
  if (persisted === undefined) return null;
  const { version, sha256Hash } = (persisted ?? {}) as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1) return refused('extensions.persistedQuery.version', 'must be 1');
  if (typeof sha256Hash !== 'string' || !SHA256_HEX.test(sha256Hash)) {
    return refused('extensions.persistedQuery.sha256Hash', 'must be the SHA-256 of the query as 64 lowercase hex digits');
  }
  if (typeof query === 'string' && createHash('sha256').update(query).digest('hex') !== sha256Hash) {
    return refused('extensions.persistedQuery.sha256Hash', 'is not the SHA-256 of the query sent with it');
  }
  return null;
}

/** Before the response cache and Apollo Server: a persisted query hash that cannot be right is refused with HTTP 400. */
export function persistedQueryCheckMiddleware(): RequestHandler {
  return (req, res, next) => {
    const error = persistedQueryProblem(queryOf(req), extensionsOf(req));
    if (!error) return next();
    const { http: _http, ...extensions } = error.extensions;
    res.status(400).json({ errors: [{ message: error.message, extensions }] });
  };
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsNul(inner));
  return false;
}

function literalHoldsNul(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.STRING:
      return value.value.includes('\u0000');
    case Kind.LIST:
      return value.values.some(literalHoldsNul);
    case Kind.OBJECT:
      return value.fields.some((field) => literalHoldsNul(field.value));
    default:
      return false;
  }
}

/** Refuses, before planning, any argument or variable whose text holds a NUL character. */
export function nulTextPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          for (const [name, value] of Object.entries(request.variables ?? {})) {
            if (holdsNul(value)) throw refused(`$${name}`, 'must not contain NUL characters');
          }
          let argument: string | null = null;
          visit(document, {
            Argument(node) {
              if (argument === null && literalHoldsNul(node.value)) argument = node.name.value;
            },
          });
          if (argument !== null) throw refused(argument, 'must not contain NUL characters');
        },
      };
    },
  };
}

/** Input checks: the persisted query hash before the response cache, NUL text before planning. */
export function inputChecks(): GatewayFeature {
  return { name: 'input checks', http: [persistedQueryCheckMiddleware()], plugins: [nulTextPlugin()] };
}
