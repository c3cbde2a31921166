import Redis from 'ioredis';

/**
 * One Redis connection per gateway process for what replicas share (response
 * cache, catalog version, APQ, rate limits). Commands fail fast while Redis
 * is down instead of queueing, so a Redis outage degrades caching and rate
 * limiting (both fail open), not availability. The start waits a moment for
 * the first connection, so the first requests do not all miss it.
 */
export async function connectRedis(url: string, onError: (err: Error) => void, waitMs = 3000): Promise<Redis> {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', onError);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}
