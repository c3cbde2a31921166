// Rate limiting per client: the token bucket's arithmetic on a fake clock, the
// configuration, and policies per role and keys per client through the
// express middleware (an in-process server). The Redis store is tested
// against a real Redis in rateLimit.e2e.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ConfigError } from '../common/environment';
import { ANONYMOUS, DEV_AUTH_SECRET, type Identity } from '../common/identity';
import { mintToken } from '../common/localTokens';
import { identityFromHeaders } from '../gateway/bearerToken';
import {
  MAX_BUCKETS_PER_ADDRESS,
  DEFAULT_RATE_LIMIT_POLICIES,
  MemoryRateLimiter,
  parseRateLimitPolicy,
  rateLimitConfigFromEnv,
  rateLimitMiddleware,
  rateLimitRole,
  type RateLimiter,
  type RateLimitPolicies,
} from '../gateway/features/rateLimit';
import { takes } from './support/rateLimits';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('MemoryRateLimiter', () => {
  it('allows a burst of capacity, then refuses with the time until one request fits', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const policy = { capacity: 3, refillPerSecond: 1 };
    expect(await takes(limiter, 'a', policy, 4)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
      { allowed: false, remaining: 0, retryAfterSeconds: 1 },
    ]);
    // Another key has its own bucket.
    expect((await limiter.take('b', policy)).allowed).toBe(true);
  });

  it('refills continuously at the policy rate, up to the capacity', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now });
    const policy = { capacity: 2, refillPerSecond: 0.25 };
    await takes(limiter, 'a', policy, 2);
    // Empty; one token takes 4 s at 0.25/s.
    expect(await limiter.take('a', policy)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 4 });
    clock.advance(3000);
    // 0.75 tokens: still refused, one more second to go.
    expect(await limiter.take('a', policy)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    clock.advance(1000);
    expect(await limiter.take('a', policy)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 });
    // An hour idle refills to the capacity, not beyond.
    clock.advance(3_600_000);
    expect((await takes(limiter, 'a', policy, 3)).map((result) => result.allowed)).toEqual([true, true, false]);
  });

  it('keeps memory bounded: drops buckets that refilled, and the least recently used beyond the cap', async () => {
    const clock = fakeClock();
    const limiter = new MemoryRateLimiter({ now: clock.now, maxBuckets: 2 });
    const policy = { capacity: 2, refillPerSecond: 1 };
    await limiter.take('a', policy);
    await limiter.take('b', policy);
    await limiter.take('c', policy);
    expect(limiter.size).toBe(2);
    // a was dropped: it starts again from a full bucket.
    expect(await limiter.take('a', policy)).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    // c and a refill within a second; the next take clears them out.
    clock.advance(1000);
    await limiter.take('d', policy);
    expect(limiter.size).toBe(1);
  });
});

describe('rate limit configuration', () => {
  it('defaults to generous partner and certifier policies, a smaller anonymous one, memory store', () => {
    expect(rateLimitConfigFromEnv({})).toEqual({
      enabled: true,
      policies: {
        anonymous: { capacity: 40, refillPerSecond: 20 },
        partner: { capacity: 100, refillPerSecond: 50 },
        certifier: { capacity: 100, refillPerSecond: 50 },
      },
      redisUrl: null,
      keyPrefix: 'rgg:ratelimit:',
      // No x-api-key is trusted unless listed.
      apiKeys: new Set(),
    });
  });

  it('reads "<rate>/s,burst=<n>" per role, RATE_LIMIT=off, REDIS_URL and the key prefix', () => {
    const config = rateLimitConfigFromEnv({
      RATE_LIMIT: 'off',
      RATE_LIMIT_ANONYMOUS: '0.5/s,burst=5',
      RATE_LIMIT_PARTNER: '200/s, burst=400',
      REDIS_URL: 'redis://cache:6379/2',
      RATE_LIMIT_KEY_PREFIX: 'relief:rl:',
    });
    expect(config.enabled).toBe(false);
    expect(config.policies.anonymous).toEqual({ capacity: 5, refillPerSecond: 0.5 });
    expect(config.policies.partner).toEqual({ capacity: 400, refillPerSecond: 200 });
    expect(config.policies.certifier).toEqual(DEFAULT_RATE_LIMIT_POLICIES.certifier);
    expect(config.redisUrl).toBe('redis://cache:6379/2');
    expect(config.keyPrefix).toBe('relief:rl:');
  });

  it('refuses bad values naming the variable', () => {
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_PARTNER: '100/60s' })).toThrow(ConfigError);
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_PARTNER: '100/60s' })).toThrow(/RATE_LIMIT_PARTNER must be "<rate>\/s,burst=<n>"/);
    expect(() => parseRateLimitPolicy('RATE_LIMIT_ANONYMOUS', '0/s,burst=5')).toThrow(/RATE_LIMIT_ANONYMOUS rate must be above 0/);
    expect(() => parseRateLimitPolicy('RATE_LIMIT_ANONYMOUS', '5/s,burst=0')).toThrow(/RATE_LIMIT_ANONYMOUS burst must be between 1/);
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT: 'sometimes' })).toThrow(/RATE_LIMIT must be true or false/);
    expect(() => rateLimitConfigFromEnv({ REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL must use redis: or rediss:/);
  });

  it('puts each identity under the policy of its strongest role', () => {
    const identity = (roles: Identity['roles']): Identity => ({ sub: 'x', roles, platform: null, authenticated: true, service: false });
    expect(rateLimitRole(ANONYMOUS)).toBe('anonymous');
    expect(rateLimitRole(identity([]))).toBe('anonymous');
    expect(rateLimitRole(identity(['partner']))).toBe('partner');
    expect(rateLimitRole(identity(['partner', 'certifier']))).toBe('certifier');
  });
});

describe('rateLimitMiddleware', () => {
  const tokenKey = { algorithm: 'HS256' as const, secret: DEV_AUTH_SECRET };
  const token = (roles: ('partner' | 'certifier')[]) => mintToken({ sub: 'tester', roles }, DEV_AUTH_SECRET, 600);
  // No refill on the frozen clock: each bucket holds exactly its capacity.
  const policies: RateLimitPolicies = {
    anonymous: { capacity: 2, refillPerSecond: 0.5 },
    partner: { capacity: 4, refillPerSecond: 1 },
    certifier: { capacity: 6, refillPerSecond: 1 },
  };
  let server: Server;
  let url: string;
  let rejected: { key: string; role: string; retryAfterSeconds: number }[];
  let limiter: MemoryRateLimiter;
  const verifiedKeys = Array.from({ length: MAX_BUCKETS_PER_ADDRESS + 4 }, (_, index) => `verified-key-${index}`);

  beforeEach(async () => {
    rejected = [];
    const clock = fakeClock();
    limiter = new MemoryRateLimiter({ now: clock.now });
    const app = express();
    app.use(
      '/graphql',
      rateLimitMiddleware(limiter, policies, (req) => identityFromHeaders(req.headers, tokenKey), {
        onRejected: (details) => rejected.push(details),
        apiKeys: rateLimitConfigFromEnv({ RATE_LIMIT_API_KEYS: `key-a, key-b,${verifiedKeys.join(',')}` }).apiKeys,
      }),
      (_req, res) => {
        res.json({ data: { ok: true } });
      },
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ platforms { code } }"}' });
  const statuses = async (count: number, headers: Record<string, string> = {}) => {
    const result: number[] = [];
    for (let index = 0; index < count; index++) result.push((await send(headers)).status);
    return result;
  };

  it('answers over the limit with 429, Retry-After and a GraphQL error, and calls onRejected', async () => {
    expect(await statuses(2)).toEqual([200, 200]);
    const response = await send();
    expect(response.status).toBe(429);
    // Empty bucket at 0.5/s: two seconds until one request fits.
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({
      errors: [{ message: 'Too many requests: try again in 2 seconds.', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 2 } }],
    });
    expect(rejected).toEqual([{ key: 'anonymous:ip:127.0.0.1', role: 'anonymous', retryAfterSeconds: 2 }]);
  });

  it('applies the policy of the verified role', async () => {
    expect(await statuses(5, { authorization: `Bearer ${token(['partner'])}` })).toEqual([200, 200, 200, 200, 429]);
    expect(await statuses(7, { authorization: `Bearer ${token(['certifier'])}` })).toEqual([200, 200, 200, 200, 200, 200, 429]);
    // The partner and certifier used none of the anonymous bucket of the same address.
    expect(await statuses(3)).toEqual([200, 200, 429]);
  });

  it('treats a request whose token does not verify as anonymous', async () => {
    expect(await statuses(3, { authorization: 'Bearer not-a-token' })).toEqual([200, 200, 429]);
    expect(rejected[0].role).toBe('anonymous');
  });

  it('keys anonymous clients by a verified x-api-key (RATE_LIMIT_API_KEYS), else by IP address', async () => {
    expect(await statuses(3, { 'x-api-key': 'key-a' })).toEqual([200, 200, 429]);
    expect(await statuses(2, { 'x-api-key': 'key-b' })).toEqual([200, 200]);
    // Same address, no key: the IP's own bucket, untouched so far.
    expect(await statuses(3)).toEqual([200, 200, 429]);
    expect((await send({ 'x-api-key': 'key-a' })).status).toBe(429);
    // The key itself is never part of the bucket key.
    expect(rejected.map((details) => details.key).join(' ')).not.toContain('key-a');
  });

  it('ignores an x-api-key nobody verified: a new key per request still takes from the address', async () => {
    const answers = [];
    for (let index = 0; index < 4; index++) answers.push((await send({ 'x-api-key': `made-up-${index}` })).status);
    expect(answers).toEqual([200, 200, 429, 429]);
    expect(new Set(rejected.map((details) => details.key))).toEqual(new Set(['anonymous:ip:127.0.0.1']));
    expect(limiter.size).toBe(1);
  });

  it('gives one address at most MAX_BUCKETS_PER_ADDRESS buckets of its own; further keys and subjects share the address bucket', async () => {
    const answers = [];
    for (const key of verifiedKeys) answers.push((await send({ 'x-api-key': key })).status);
    // The first keys have buckets; the last four take from the address's anonymous bucket (capacity 2).
    expect(answers).toEqual([...Array(MAX_BUCKETS_PER_ADDRESS).fill(200), 200, 200, 429, 429]);
    const partners = Array.from({ length: 4 }, (_, index) => mintToken({ sub: `partner-${index}`, roles: ['partner'] }, DEV_AUTH_SECRET, 600));
    for (const partner of partners) expect((await send({ authorization: `Bearer ${partner}` })).status).toBe(200);
    // Four partners (capacity 4 each) shared the address's partner bucket: the fifth request finds it empty.
    expect((await send({ authorization: `Bearer ${partners[0]}` })).status).toBe(429);
    expect(limiter.size).toBe(MAX_BUCKETS_PER_ADDRESS + 2);
    expect(await statuses(1)).toEqual([429]);
    // The keys that got a bucket keep it.
    expect(await statuses(2, { 'x-api-key': verifiedKeys[0] })).toEqual([200, 429]);
  });

  it('lets requests through when the limiter itself fails', async () => {
    const broken: RateLimiter = { take: () => Promise.reject(new Error('store gone')), close: async () => undefined };
    const logged: unknown[] = [];
    const app = express();
    app.use(
      '/graphql',
      rateLimitMiddleware(broken, policies, () => ANONYMOUS, { log: (entry) => logged.push(entry) }),
      (_req, res) => {
        res.json({ data: { ok: true } });
      },
    );
    const other = createServer(app);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/graphql`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(logged).toHaveLength(1);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
