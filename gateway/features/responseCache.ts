import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type Redis from 'ioredis';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../common/logging';
import { RedisKeyValueCache } from '../redisConnection';
import { requestContext, type GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

/**
 * The catalog's version: bumped by every mutation that passes through the
 * gateway and may have written (all writes do: staff transitions, listing
 * pushes and imports; refused mutations are not counted), and
 * part of every response cache key. A response computed before a write is
 * therefore never served after it, on this replica or, through Redis, on any
 * other, from the very next request on.
 */
export interface CatalogVersion {
  current(): Promise<string>;
  bump(): Promise<void>;
}

export function memoryCatalogVersion(): CatalogVersion {
  let version = 0;
  return {
    current: async () => String(version),
    bump: async () => {
      version += 1;
    },
  };
}

/**
 * The version in Redis, shared by replicas. A bump that Redis does not take
 * (down, or not answering within the command timeout) is remembered: until it
 * has been applied, `current()` fails, so this replica skips the cache both
 * ways rather than serve answers from before the write, and the bump is
 * retried every second (and before each lookup) until Redis takes it, which
 * is what makes every other replica drop its answers too.
 */
export function redisCatalogVersion(redis: Redis, key: string, log: (entry: Record<string, unknown>) => void = () => undefined): CatalogVersion {
  let unapplied = false;
  let retry: NodeJS.Timeout | null = null;
  const apply = async (): Promise<void> => {
    await redis.incr(key);
    if (!unapplied) return;
    unapplied = false;
    if (retry) clearInterval(retry);
    retry = null;
    log({ level: 'info', msg: 'catalog version bump applied once Redis answered again; the response cache is used again' });
  };
  return {
    // If Redis cannot answer, no version is known: the caller skips the cache.
    current: async () => {
      if (unapplied) await apply();
      return (await redis.get(key)) ?? '0';
    },
    bump: async () => {
      try {
        await redis.incr(key);
      } catch (err) {
        if (!unapplied) {
          unapplied = true;
          retry = setInterval(() => void apply().catch(() => undefined), 1000);
          retry.unref();
        }
        throw err;
      }
    },
  };
}

export function memoryKeyValueCache(maxBytes = 64 * 1024 * 1024): KeyValueCache<string> {
  return new InMemoryLRUCache<string>({ maxSize: maxBytes });
}

/** The GraphQL request fields that decide an answer (a POST body, or a GET's parameters). */
interface GraphQLParams {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/**
 * The cache key of a request: the catalog version, the document (by its
 * persisted-query hash, else the SHA-256 of its text, which is the same hash
 * for automatic persisted queries), the operation name and the variables.
 */
function cacheKey(version: string, params: GraphQLParams): string | null {
  const persisted = (params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const document =
    typeof persisted === 'string' ? persisted : typeof params.query === 'string' ? createHash('sha256').update(params.query).digest('hex') : null;
  if (document === null) return null;
  return createHash('sha256')
    .update(JSON.stringify([version, document, params.operationName ?? null, params.variables ?? null]))
    .digest('hex');
}

function getParams(req: Request): GraphQLParams | null {
  const json = (name: string) => {
    const value = req.query[name];
    if (typeof value !== 'string') return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return null;
    }
  };
  if (typeof req.query.query !== 'string' && typeof req.query.extensions !== 'string') return null;
  return { query: req.query.query, operationName: req.query.operationName, variables: json('variables'), extensions: json('extensions') };
}

// Apollo's CSRF prevention accepts a GET only with a header a browser would
// preflight; the cache answers GETs on the same condition.
function preflighted(req: Request): boolean {
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  const simple = !type || type === 'text/plain' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data';
  return !simple || req.headers['x-apollo-operation-name'] !== undefined || req.headers['apollo-require-preflight'] !== undefined;
}

export interface ResponseCacheHit {
  operationName: string | null;
  ms: number;
}

/**
 * Whole responses of anonymous catalog reads, for as long as the subgraphs'
 * cache hints allow (each subgraph sends Cache-Control; the certification
 * subgraph never lets a certificate outlive its validUntil), keyed by the
 * catalog version. Requests with a token (staff, partners) bypass it.
 *
 * Stored as the response text: a hit is answered by `middleware`, in front of
 * Apollo Server, without parsing or serialising anything; `plugin` stores
 * the successful anonymous queries that Apollo answered, under the key the
 * middleware put on the request's context.
 */
export class ResponseCache {
  constructor(
    private readonly store: KeyValueCache<string>,
    private readonly version: CatalogVersion,
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {}

  /** Answers cached anonymous reads; for any other cacheable request, notes its key on the context for `plugin` and passes it on. */
  middleware(onHit: (hit: ResponseCacheHit, context: GatewayContext) => void) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const started = process.hrtime.bigint();
      if (req.headers.authorization) return next();
      const params: unknown = req.method === 'POST' ? req.body : req.method === 'GET' && preflighted(req) ? getParams(req) : null;
      if (!params || typeof params !== 'object' || Array.isArray(params)) return next();
      const version = await this.version.current().catch(() => null);
      // If the version cannot be read (Redis down), the cache is skipped both ways.
      if (version === null) return next();
      const key = cacheKey(version, params as GraphQLParams);
      if (key === null) return next();
      const context = requestContext(req);
      context.responseCacheKey = key;
      const stored = await this.store.get(key).catch(() => undefined);
      const newline = stored?.indexOf('\n') ?? -1;
      const expiresAt = stored && newline > 0 ? Number(stored.slice(0, newline)) : 0;
      const now = Date.now();
      if (!stored || !(expiresAt > now)) return next();
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.setHeader('cache-control', `max-age=${Math.max(0, Math.floor((expiresAt - now) / 1000))}, public`);
      res.status(200).end(stored.slice(newline + 1));
      const operationName = (params as GraphQLParams).operationName;
      onHit({ operationName: typeof operationName === 'string' ? operationName : null, ms: Number(process.hrtime.bigint() - started) / 1e6 }, context);
    };
  }

  /** Stores what Apollo answered to an anonymous query without errors, for as long as its cache policy allows. */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => ({
        willSendResponse: async ({ contextValue, operation, response, overallCachePolicy }) => {
          // The key the middleware looked the request up under (none: the cache was not consulted).
          const key = contextValue.responseCacheKey;
          if (key === undefined || contextValue.identity.authenticated || operation?.operation !== OperationTypeNode.QUERY) return;
          if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
          const policy = overallCachePolicy.policyIfCacheable();
          if (!policy || policy.scope === 'PRIVATE') return;
          const text = JSON.stringify(response.body.singleResult);
          await this.store
            .set(key, `${Date.now() + policy.maxAge * 1000}\n${text}`, { ttl: policy.maxAge })
            .catch((err: Error) => this.log({ level: 'warn', msg: 'response cache write failed', err: err.message }));
        },
      }),
    };
  }
}

/**
 * Whether a mutation's answer shows it may have written something: only a
 * verified caller can write (every mutation needs a role), only an operation
 * that ran (a refused document has no `data`), and not when every root field
 * failed itself (its resolver refused: bad input, a missing role and a
 * version conflict write nothing). A root field that answered, or failed only
 * below itself, counts as written.
 */
export function mutationMayHaveWritten(
  authenticated: boolean,
  operation: OperationDefinitionNode | undefined,
  result: { data?: unknown; errors?: readonly { path?: readonly (string | number)[] }[] },
): boolean {
  if (!authenticated || operation?.operation !== OperationTypeNode.MUTATION || result.data === undefined) return false;
  const refused = new Set((result.errors ?? []).filter((error) => error.path?.length === 1).map((error) => error.path![0]));
  const rootFields = operation.selectionSet.selections.map((selection) => (selection.kind === Kind.FIELD ? (selection.alias ?? selection.name).value : null));
  return rootFields.some((key) => key === null || !refused.has(key));
}

/**
 * Bumps the catalog version after a mutation that may have written (see
 * mutationMayHaveWritten), before its response leaves the gateway. Refused
 * mutations, anonymous ones above all, leave every cached answer in place.
 */
export function versionBumpPlugin(version: CatalogVersion, log: (entry: Record<string, unknown>) => void): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, response }) {
          if (response.body.kind !== 'single') return;
          if (!mutationMayHaveWritten(contextValue.identity?.authenticated === true, operation, response.body.singleResult)) return;
          await version.bump().catch((err: Error) => log({ level: 'error', msg: 'catalog version bump failed', err: err.message }));
        },
      };
    },
  };
}

/**
 * The response cache (RESPONSE_CACHE), in Redis when the gateway shares one:
 * a hit is answered on /graphql before Apollo, a successful anonymous query
 * is stored as Apollo sends it, and a mutation that may have written bumps
 * the catalog version, which retires every answer stored before it.
 */
export function responseCache(options: {
  enabled: boolean;
  redis: Redis | null;
  /** REDIS_KEY_PREFIX. */
  keyPrefix: string;
  log: Logger;
  onHit: (hit: ResponseCacheHit, context: GatewayContext) => void;
}): GatewayFeature {
  if (!options.enabled) return { name: 'response cache (off)' };
  const { redis, keyPrefix, log } = options;
  const version = redis ? redisCatalogVersion(redis, `${keyPrefix}catalog-version`, (entry) => log.warn(entry)) : memoryCatalogVersion();
  const store = redis ? new RedisKeyValueCache(redis, `${keyPrefix}response:`) : memoryKeyValueCache();
  const cache = new ResponseCache(store, version, (entry) => log.warn(entry));
  return {
    name: 'response cache',
    http: [cache.middleware(options.onHit)],
    plugins: [versionBumpPlugin(version, (entry) => log.error(entry)), cache.plugin()],
  };
}
