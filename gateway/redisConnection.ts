import Redis from 'ioredis';

/**
 * One Redis connection per gateway process for what replicas share (response
 * cache, catalog version, APQ, rate limits). Commands fail fast while Redis
 * is down instead of queueing, so a Redis outage degrades caching, not
 * availability.
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}
