// Rate limiting against the real Redis (REDIS_URL, default
// redis://127.0.0.1:6379): the Redis store, shared by two limiters as by two
// gateway replicas, failing open when Redis is slow or gone, and two gateway
// replicas over one Redis refusing a client over its bucket. The bucket's
// arithmetic and the middleware are tested in rateLimit.test.ts.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRateLimiter, MemoryRateLimiter, RedisRateLimiter } from '../gateway/features/rateLimit';
import { freePort, useCatalog, startExtraGateway } from './support/catalogHarness';
import { post } from './support/graphqlHttp';
import { takes } from './support/rateLimits';
import { dropRedisKeys, REDIS_URL } from './support/sharedRedis';

describe('createRateLimiter', () => {
  it('creates a Redis limiter when REDIS_URL is set, else one in memory', async () => {
    expect(createRateLimiter({ redisUrl: null, keyPrefix: 'x:' })).toBeInstanceOf(MemoryRateLimiter);
    const redis = createRateLimiter({ redisUrl: REDIS_URL, keyPrefix: 'x:' });
    expect(redis).toBeInstanceOf(RedisRateLimiter);
    await redis.close();
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
    await dropRedisKeys(prefix);
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
    const port = await freePort();
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

describe('rate limiting through two gateway replicas on one Redis', () => {
  const catalog = useCatalog({ backend: 'pglite' });

  it('refuses a client over its token bucket with RATE_LIMITED and a retry-after hint, shared by two replicas on Redis', async () => {
    const prefix = `rgg-test-${randomBytes(4).toString('hex')}:`;
    const env = {
      RATE_LIMIT: 'on',
      RATE_LIMIT_ANONYMOUS: '1/s,burst=4',
      // Two clients on one address tell themselves apart by keys the gateway knows.
      RATE_LIMIT_API_KEYS: `client-${prefix},other-${prefix}`,
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: prefix,
      REDIS_KEY_PREFIX: prefix,
    };
    const a = await startExtraGateway(catalog, env);
    const b = await startExtraGateway(catalog, env);
    try {
      const results = [];
      for (let i = 0; i < 6; i += 1) {
        results.push(await post((i % 2 ? a : b).url, { query: '{ platforms { code } }' }, { 'x-api-key': `client-${prefix}` }));
      }
      expect(results.filter((r) => r.status === 200)).toHaveLength(4);
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(2);
      expect(refused[0].errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThan(0);
      // Another client has its own bucket.
      expect((await post(a.url, { query: '{ platforms { code } }' }, { 'x-api-key': `other-${prefix}` })).status).toBe(200);
      const metrics = await (await fetch(new URL('/metrics', a.url))).text();
      expect(metrics).toMatch(/rate_limit_rejections_total\{role="anonymous"\} [1-9]/);
    } finally {
      await a.close();
      await b.close();
      await dropRedisKeys(prefix);
    }
  });
});
