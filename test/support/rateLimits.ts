// Rate limiter helpers shared by the limiter's unit tests and its Redis tests.
import type { RateLimiter } from '../../gateway/features/rateLimit';

/** `count` takes from one bucket, one after the other. */
export async function takes(limiter: RateLimiter, key: string, policy: { capacity: number; refillPerSecond: number }, count: number) {
  const results = [];
  for (let index = 0; index < count; index++) results.push(await limiter.take(key, policy));
  return results;
}
