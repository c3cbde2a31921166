import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import Redis from 'ioredis';

/** How long any one Redis command may take before its caller falls back: REDIS_TIMEOUT_MS, default 250. */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

/**
 * One Redis connection per gateway process for what replicas share (response
 * cache, catalog version, APQ, rate limits). Commands fail fast while Redis
 * is down instead of queueing, so a Redis outage degrades caching and rate
 * limiting (both fail open), not availability. A Redis that is up but does
 * not answer (paused, swapping, a full network buffer) keeps the connection
 * open, so only a command timeout notices it: every command gives up after
 * `commandTimeoutMs` and its caller takes its fallback. The start waits a
 * moment for the first connection, so the first requests do not all miss it.
 */
export async function connectRedis(url: string, onError: (err: Error) => void, options: { waitMs?: number; commandTimeoutMs?: number } = {}): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // Closing while Redis does not answer would otherwise hold shutdown until the socket gives up.
    disconnectTimeout: 200,
  });
  redis.on('error', onError);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.waitMs ?? 3000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

/** Apollo's key-value cache interface over Redis, so gateway replicas share cached responses and APQ documents. */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  // A Redis that fails or does not answer reads as a miss: the response
  // cache then computes the answer, and APQ asks the client for the document
  // (PERSISTED_QUERY_NOT_FOUND, which Apollo clients answer by sending it).
  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key).catch(() => null)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    if (options?.ttl) await this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(options.ttl)));
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}
