// Rate limiting per client: the token bucket's arithmetic on a fake clock,
// policies per role and keys per client through the express middleware, and
// the Redis store against the real Redis (REDIS_URL, default
// redis://127.0.0.1:6379), shared by two limiters as by two gateway replicas.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { ConfigError } from '../common/environment';
import { ANONYMOUS, type Identity } from '../common/identity';
import { DEV_AUTH_SECRET } from '../common/identity';
import { mintToken } from '../common/localTokens';
import { identityFromHeaders } from '../gateway/bearerToken';
import {
  MAX_BUCKETS_PER_ADDRESS,
  createRateLimiter,
  DEFAULT_RATE_LIMIT_POLICIES,
  MemoryRateLimiter,
  parseRateLimitPolicy,
  rateLimitConfigFromEnv,
  rateLimitMiddleware,
  rateLimitRole,
  RedisRateLimiter,
  type RateLimiter,
  type RateLimitPolicies,
} from '../gateway/features/rateLimit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function takes(limiter: RateLimiter, key: string, policy: { capacity: number; refillPerSecond: number }, count: number) {
  const results = [];
  for (let index = 0; index < count; index++) results.push(await limiter.take(key, policy));
  return results;
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

  it('creates a Redis limiter when REDIS_URL is set, else one in memory', async () => {
    expect(createRateLimiter({ redisUrl: null, keyPrefix: 'x:' })).toBeInstanceOf(MemoryRateLimiter);
    const redis = createRateLimiter({ redisUrl: REDIS_URL, keyPrefix: 'x:' });
    expect(redis).toBeInstanceOf(RedisRateLimiter);
    await redis.close();
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

describe('RedisRateLimiter', () => {
  // A prefix of this run's own, so runs (and other users of this Redis) never share buckets.
  const prefix = `rgg:test:ratelimit:${randomBytes(6).toString('hex')}:`;
  let admin: Redis;
  const limiters: RedisRateLimiter[] = [];
  const limiter = async (keyPrefix = prefix, log?: (entry: Record<string, unknown>) => void) => {
    const created = new RedisRateLimiter({ redis: REDIS_URL, keyPrefix, log });
    limiters.push(created);
    expect(await created.ready()).toBe(true);
    return created;
  };

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(limiters.map((created) => created.close()));
    // SCAN, not KEYS: this Redis may be shared, and KEYS blocks it.
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await admin.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await admin.quit();
  });

  it('allows a burst of capacity, then refuses with the time until one request fits', async () => {
    const redis = await limiter();
    // A slow refill (one token per 1000 s) keeps the arithmetic exact while the test runs.
    const policy = { capacity: 3, refillPerSecond: 0.001 };
    expect(await takes(redis, 'burst', policy, 4)).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
      { allowed: false, remaining: 0, retryAfterSeconds: 1000 },
    ]);
    // The key lives until the bucket would be full again (3 tokens at 0.001/s), not forever.
    const ttl = await admin.ttl(`${prefix}burst`);
    expect(ttl).toBeGreaterThan(2900);
    expect(ttl).toBeLessThanOrEqual(3000);
  });

  it('refills by Redis time', async () => {
    const redis = await limiter();
    const policy = { capacity: 1, refillPerSecond: 20 };
    expect((await takes(redis, 'refill', policy, 2)).map((result) => result.allowed)).toEqual([true, false]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect((await redis.take('refill', policy)).allowed).toBe(true);
  });

  it('shares one bucket between two limiters, as between two gateway replicas, atomically', async () => {
    const [first, second] = [await limiter(), await limiter()];
    const policy = { capacity: 4, refillPerSecond: 0.001 };
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 ? first : second).take('shared', policy)));
    expect(results.filter((result) => result.allowed)).toHaveLength(4);
    expect((await first.take('shared', policy)).allowed).toBe(false);
    expect((await second.take('shared', policy)).allowed).toBe(false);
    // Another prefix is another deployment: its own buckets.
    const other = await limiter(`${prefix}other:`);
    expect((await other.take('shared', policy)).allowed).toBe(true);
  });

  it('sends the script with EVAL when Redis does not know it', async () => {
    const redis = await limiter();
    // As after a Redis restart or SCRIPT FLUSH (not run here: this Redis may be shared).
    const client = (redis as unknown as { redis: Redis }).redis;
    const evalsha = jest.spyOn(client, 'evalsha').mockRejectedValueOnce(new Error('NOSCRIPT No matching script. Please use EVAL.'));
    const evalSpy = jest.spyOn(client, 'eval');
    expect(await redis.take('noscript', { capacity: 2, refillPerSecond: 1 })).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    expect(evalsha).toHaveBeenCalledTimes(1);
    expect(evalSpy).toHaveBeenCalledTimes(1);
  });

  it('uses a connection the process shares, and leaves it open for its owner', async () => {
    const shared = new Redis(REDIS_URL);
    try {
      const onShared = new RedisRateLimiter({ redis: shared, keyPrefix: prefix });
      expect(await onShared.ready()).toBe(true);
      const own = await limiter();
      const policy = { capacity: 2, refillPerSecond: 0.001 };
      expect((await onShared.take('connection', policy)).allowed).toBe(true);
      expect((await own.take('connection', policy)).allowed).toBe(true);
      expect((await onShared.take('connection', policy)).allowed).toBe(false);
      await onShared.close();
      expect(await shared.ping()).toBe('PONG');
    } finally {
      await shared.quit();
    }
  });

  it('fails open when Redis answers too slowly', async () => {
    const logged: Record<string, unknown>[] = [];
    const slow = new RedisRateLimiter({ redis: REDIS_URL, keyPrefix: prefix, log: (entry) => logged.push(entry), timeoutMs: 50 });
    limiters.push(slow);
    expect(await slow.ready()).toBe(true);
    const client = (slow as unknown as { redis: Redis }).redis;
    jest.spyOn(client, 'evalsha').mockReturnValueOnce(new Promise(() => undefined) as never);
    expect(await slow.take('slow', { capacity: 1, refillPerSecond: 0.001 })).toEqual({ allowed: true, remaining: 1, retryAfterSeconds: 0 });
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', err: 'Error: Redis did not answer within 50 ms' })]);
    // The next answer ends the outage, and is logged once too.
    expect((await slow.take('slow', { capacity: 1, refillPerSecond: 0.001 })).allowed).toBe(true);
    expect(logged[1]).toMatchObject({ level: 'info' });
  });

  it('fails open, logging once, when Redis is unreachable', async () => {
    const port = await closedPort();
    const logged: Record<string, unknown>[] = [];
    const unreachable = new RedisRateLimiter({ redis: `redis://127.0.0.1:${port}`, keyPrefix: prefix, log: (entry) => logged.push(entry) });
    limiters.push(unreachable);
    const policy = { capacity: 1, refillPerSecond: 0.001 };
    const started = Date.now();
    const results = await takes(unreachable, 'down', policy, 3);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(results.every((result) => result.allowed)).toBe(true);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('Redis unreachable') });
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
