import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import ApolloServerPluginResponseCache from '@apollo/server-plugin-response-cache';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type Redis from 'ioredis';
import type { GatewayContext } from './subgraphDataSource';

/**
 * The catalog's version: bumped by every mutation that passes through the
 * gateway (all writes do: staff transitions, listing pushes and imports), and
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

export function redisCatalogVersion(redis: Redis, key: string): CatalogVersion {
  return {
    // If Redis cannot answer, no version is known: the caller skips the cache.
    current: async () => (await redis.get(key)) ?? '0',
    bump: async () => {
      await redis.incr(key);
    },
  };
}

/** Apollo's key-value cache interface over Redis, so gateway replicas share cached responses and APQ documents. */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(options.ttl)));
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}

export function memoryKeyValueCache(maxBytes = 64 * 1024 * 1024): KeyValueCache<string> {
  return new InMemoryLRUCache<string>({ maxSize: maxBytes });
}

export interface ResponseCacheHooks {
  onLookup?(hit: boolean): void;
}

const UNAVAILABLE = Symbol('catalog version unavailable');

/**
 * Full responses of anonymous catalog reads, for as long as the subgraphs'
 * cache hints allow (each subgraph sends Cache-Control; the certification
 * subgraph never lets a certificate outlive its validUntil), keyed by the
 * catalog version. Requests with a token (staff, partners) bypass it.
 */
export function responseCachePlugin(cache: KeyValueCache<string>, version: CatalogVersion): ApolloServerPlugin<GatewayContext> {
  const versionOf = new WeakMap<object, string | typeof UNAVAILABLE>();
  const anonymous = async (requestContext: { contextValue: GatewayContext }) => !requestContext.contextValue.identity.authenticated;
  const knownVersion = async (requestContext: { contextValue: GatewayContext }) => {
    if (!versionOf.has(requestContext.contextValue)) {
      versionOf.set(requestContext.contextValue, await version.current().catch(() => UNAVAILABLE));
    }
    return versionOf.get(requestContext.contextValue)!;
  };
  const eligible = async (requestContext: { contextValue: GatewayContext }) =>
    (await anonymous(requestContext)) && (await knownVersion(requestContext)) !== UNAVAILABLE;
  return ApolloServerPluginResponseCache<GatewayContext>({
    cache,
    shouldReadFromCache: eligible,
    shouldWriteToCache: eligible,
    extraCacheKeyData: async (requestContext) => {
      const current = await knownVersion(requestContext);
      return current === UNAVAILABLE ? null : current;
    },
    // Short keys: the operation text and variables can be large.
    generateCacheKey: (_requestContext, keyData) => createHash('sha256').update(JSON.stringify(keyData)).digest('hex'),
  });
}

/** Bumps the catalog version after every mutation, before its response leaves the gateway. */
export function versionBumpPlugin(version: CatalogVersion, log: (entry: Record<string, unknown>) => void): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(requestContext) {
          if (requestContext.operation?.operation !== 'mutation') return;
          await version.bump().catch((err: Error) => log({ level: 'error', msg: 'catalog version bump failed', err: err.message }));
        },
      };
    },
  };
}
