import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Redis } from 'ioredis';
import { ConfigError, envBoolean, envString, envUrl } from '../../common/environment';
import { ErrorCode } from '../../common/errors';
import type { Identity } from '../../common/identity';
import type { Logger as ProcessLogger } from '../../common/logging';
import { requestContext } from '../requestContext';
import type { Logger } from './errorPolicy';
import type { GatewayFeature } from './types';

type Env = Record<string, string | undefined>;

/** A token bucket: holds up to `capacity` requests, refilled continuously at `refillPerSecond`. */
export interface RateLimitPolicy {
  capacity: number;
  refillPerSecond: number;
}

export const RATE_LIMIT_ROLES = ['anonymous', 'partner', 'certifier'] as const;
export type RateLimitRole = (typeof RATE_LIMIT_ROLES)[number];
export type RateLimitPolicies = Record<RateLimitRole, RateLimitPolicy>;

/**
 * Partners run frontends and the feed importer for many shoppers through one
 * key; anonymous callers are single browsers or scripts, and the ones worth
 * slowing down. Certification staff work by hand, but bulk tools run as them.
 */
export const DEFAULT_RATE_LIMIT_POLICIES: RateLimitPolicies = {
  anonymous: { capacity: 40, refillPerSecond: 20 },
  partner: { capacity: 100, refillPerSecond: 50 },
  certifier: { capacity: 100, refillPerSecond: 50 },
};

export interface RateLimitConfig {
  /** RATE_LIMIT: `off` disables rate limiting; default on. */
  enabled: boolean;
  /** RATE_LIMIT_ANONYMOUS, RATE_LIMIT_PARTNER, RATE_LIMIT_CERTIFIER. */
  policies: RateLimitPolicies;
  /** REDIS_URL: buckets shared by every gateway replica; unset keeps them in this process. */
  redisUrl: string | null;
  /** RATE_LIMIT_KEY_PREFIX: prefix of the bucket keys in Redis, default `rgg:ratelimit:`. */
  keyPrefix: string;
  /**
   * RATE_LIMIT_API_KEYS: the x-api-key values this gateway accepts as a
   * client's own (comma-separated; none by default), kept as their hashes.
   * Any other x-api-key is ignored: the caller is keyed by its address.
   */
  apiKeys: ReadonlySet<string>;
}

const POLICY_VARIABLES: Record<RateLimitRole, string> = {
  anonymous: 'RATE_LIMIT_ANONYMOUS',
  partner: 'RATE_LIMIT_PARTNER',
  certifier: 'RATE_LIMIT_CERTIFIER',
};

/**
 * A policy is written `<rate>/s,burst=<n>`, e.g. `50/s,burst=100`: a client
 * may send `n` requests at once, then `rate` per second on average (the
 * rate may be a fraction: `0.5/s,burst=5`). One syntax only, so an operator
 * cannot mistake a window for a rate.
 */
export function parseRateLimitPolicy(variable: string, value: string): RateLimitPolicy {
  const match = /^(\d+(?:\.\d+)?)\s*\/\s*s\s*,\s*burst\s*=\s*(\d+)$/i.exec(value.trim());
  if (!match) throw new ConfigError(variable, `must be "<rate>/s,burst=<n>" (e.g. "50/s,burst=100"), got "${value}"`);
  const refillPerSecond = Number(match[1]);
  const capacity = Number(match[2]);
  if (refillPerSecond <= 0 || refillPerSecond > 1_000_000)
    throw new ConfigError(variable, `rate must be above 0 and at most 1000000 per second, got ${match[1]}`);
  if (capacity < 1 || capacity > 1_000_000) throw new ConfigError(variable, `burst must be between 1 and 1000000, got ${capacity}`);
  return { capacity, refillPerSecond };
}

export function rateLimitConfigFromEnv(env: Env): RateLimitConfig {
  const policies = {} as RateLimitPolicies;
  for (const role of RATE_LIMIT_ROLES) {
    const value = envString(env, POLICY_VARIABLES[role]);
    policies[role] = value === undefined ? DEFAULT_RATE_LIMIT_POLICIES[role] : parseRateLimitPolicy(POLICY_VARIABLES[role], value);
  }
  return {
    enabled: envBoolean(env, 'RATE_LIMIT', true),
    policies,
    redisUrl: envUrl(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? null,
    keyPrefix: envString(env, 'RATE_LIMIT_KEY_PREFIX', 'rgg:ratelimit:'),
    apiKeys: new Set(
      (envString(env, 'RATE_LIMIT_API_KEYS') ?? '')
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean)
        .map(hashed),
    ),
  };
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole requests left in the bucket after this one (the capacity when a store fails open). */
  remaining: number;
  /** 0 when allowed; else whole seconds until one request fits again (at least 1). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Takes one request from the bucket `key`, which follows `policy`. */
  take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  /** Milliseconds, by the limiter's clock. */
  updatedAt: number;
  /** When the bucket will be full again: from then on it is the same as no bucket. */
  fullAt: number;
}

export interface MemoryRateLimiterOptions {
  /** Milliseconds; tests pass a fake clock. */
  now?: () => number;
  /** Buckets kept at most; beyond that the least recently used go first. */
  maxBuckets?: number;
}

/**
 * Buckets in this process. With several gateway replicas each keeps its own,
 * so a client gets up to replicas x the policy: set REDIS_URL there.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxBuckets: number;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxBuckets = options.maxBuckets ?? 100_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  async take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const now = this.now();
    const bucket = this.buckets.get(key);
    // Refill lazily: a bucket only changes when its client comes back.
    const elapsedSeconds = bucket ? Math.max(0, now - bucket.updatedAt) / 1000 : 0;
    let tokens = bucket ? Math.min(policy.capacity, bucket.tokens + elapsedSeconds * policy.refillPerSecond) : policy.capacity;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    // Delete before set so the Map's order stays least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens, updatedAt: now, fullAt: now + ((policy.capacity - tokens) / policy.refillPerSecond) * 1000 });
    this.evict(now);
    return decision(allowed, tokens, policy);
  }

  /**
   * Drops idle buckets from the least recently used end: a bucket that has
   * refilled completely holds nothing a new bucket would not, so dropping it
   * changes no answer. Stops at the first bucket still refilling, which keeps
   * each call cheap; the size cap drops even refilling ones under a flood of
   * new clients (they get a full bucket back, the lenient mistake).
   */
  private evict(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.buckets.size <= this.maxBuckets && now < bucket.fullAt) break;
      this.buckets.delete(key);
    }
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}

function decision(allowed: boolean, tokens: number, policy: RateLimitPolicy): RateLimitDecision {
  return {
    allowed,
    remaining: Math.floor(tokens),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / policy.refillPerSecond)),
  };
}

/**
 * The token bucket in Redis, one hash per client: tokens and the time they
 * were counted. One script does read, refill, take and write, so two
 * replicas taking from the same bucket at once cannot both spend the last
 * token. The time is Redis's own TIME, never a replica's clock: replicas whose
 * clocks disagree would otherwise refill a shared bucket too much or too
 * little. The key expires when the bucket would be full again, which is when
 * it stops carrying any information.
 */
export const TOKEN_BUCKET_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - at) / 1000000 * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.max(1, math.ceil((capacity - tokens) / rate)))
local retry = 0
if allowed == 0 then retry = math.max(1, math.ceil((1 - tokens) / rate)) end
return { allowed, math.floor(tokens), retry }
`;

const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

export interface RedisRateLimiterOptions {
  /**
   * The Redis to keep buckets in: a URL (the limiter opens and closes its own
   * connection) or a client the process already shares (gateway/redisConnection.ts),
   * which close() leaves open for its owner.
   */
  redis: string | Redis;
  /** Prefix of every bucket key, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  log?: Logger;
  /**
   * Milliseconds a take waits for Redis before the request goes through
   * unlimited; default 250. Every GraphQL request waits for this answer.
   */
  timeoutMs?: number;
}

/**
 * Buckets in Redis, shared by every gateway replica.
 *
 * Fails open: when Redis is unreachable, slow or failing, every take is
 * allowed and the outage is logged once (and its end once). The limiter
 * protects the catalog from abusive clients; an outage of the limiter's own
 * store must not turn into an outage of the whole catalog for everyone.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly ownsConnection: boolean;
  private readonly keyPrefix: string;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly onError = (err: Error) => this.failOpen(err);
  private failing = false;
  private readonly started: Promise<boolean>;

  constructor(options: RedisRateLimiterOptions) {
    this.keyPrefix = options.keyPrefix;
    this.log = options.log ?? (() => undefined);
    this.timeoutMs = options.timeoutMs ?? 250;
    this.ownsConnection = typeof options.redis === 'string';
    this.redis =
      typeof options.redis === 'string'
        ? new Redis(options.redis, {
            // Without a connection, fail the command at once (and so let the request
            // through) rather than queue it and hold every request until Redis is back.
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            connectTimeout: 2000,
            // Keep reconnecting in the background, at most every 2 seconds, so limiting resumes by itself.
            retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
            // Closing while Redis is down leaves a dead socket that never reports
            // closing; ioredis destroys it after this delay, which otherwise holds
            // the process for 2 s at shutdown.
            disconnectTimeout: 200,
          })
        : options.redis;
    // ioredis reports every failed reconnect as an 'error' event; without a
    // listener each one is printed as unhandled.
    this.redis.on('error', this.onError);
    // The gateway takes requests as soon as it listens, usually before the
    // connection is up: the first takes wait for it (once, briefly) instead of
    // failing open and reporting an outage at every start.
    this.started = this.ready(this.timeoutMs);
  }

  /** Resolves true once connected to Redis, false if not within `timeoutMs`. */
  ready(timeoutMs = 2000): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.redis.once('ready', onReady);
    });
  }

  async take(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    await this.started;
    try {
      const [allowed, remaining, retryAfterSeconds] = (await withTimeout(this.runScript(this.keyPrefix + key, policy), this.timeoutMs)) as [
        number,
        number,
        number,
      ];
      if (this.failing) {
        this.failing = false;
        this.log({ level: 'info', msg: 'rate limiter: Redis answers again, limiting resumed' });
      }
      return { allowed: allowed === 1, remaining, retryAfterSeconds };
    } catch (err) {
      this.failOpen(err);
      return { allowed: true, remaining: policy.capacity, retryAfterSeconds: 0 };
    }
  }

  private async runScript(key: string, policy: RateLimitPolicy): Promise<unknown> {
    const args = [1, key, String(policy.capacity), String(policy.refillPerSecond)] as const;
    try {
      return await this.redis.evalsha(TOKEN_BUCKET_SHA, ...args);
    } catch (err) {
      // First use on this Redis, or its script cache was flushed (restart, SCRIPT FLUSH):
      // EVAL sends the script, which also caches it for the next EVALSHA.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(TOKEN_BUCKET_SCRIPT, ...args);
    }
  }

  private failOpen(err: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.log({ level: 'warn', msg: 'rate limiter: Redis unreachable, requests are not limited until it is back', err: String(err) });
  }

  async close(): Promise<void> {
    this.redis.off('error', this.onError);
    if (!this.ownsConnection) return;
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}

/** Rejects when `promise` takes longer than `ms`; the command itself still completes in the background. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Redis when REDIS_URL is set (several replicas share buckets), else this
 * process's memory. Pass `redis` to use the process's shared connection
 * instead of opening one for the limiter.
 */
export function createRateLimiter(
  config: Pick<RateLimitConfig, 'redisUrl' | 'keyPrefix'>,
  options: { log?: Logger; redis?: Redis; timeoutMs?: number } = {},
): RateLimiter {
  if (!config.redisUrl) return new MemoryRateLimiter();
  return new RedisRateLimiter({ redis: options.redis ?? config.redisUrl, keyPrefix: config.keyPrefix, log: options.log, timeoutMs: options.timeoutMs });
}

/** The policy a request falls under: the strongest role its verified identity holds. */
export function rateLimitRole(identity: Identity): RateLimitRole {
  if (!identity.authenticated) return 'anonymous';
  if (identity.roles.includes('certifier')) return 'certifier';
  if (identity.roles.includes('partner')) return 'partner';
  return 'anonymous';
}

function hashed(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

/**
 * Whose bucket a request takes from. A verified caller: its token's subject.
 * An anonymous one: its `x-api-key` only when that key is one of
 * RATE_LIMIT_API_KEYS, else its IP address (req.ip, so behind a proxy set
 * express's `trust proxy`, or every client shares the proxy's bucket). An
 * unverified key is ignored: a client sending a new value with each request
 * would otherwise get a new bucket each time. Subjects and keys are hashed:
 * bucket keys have a fixed length whatever a client sends, and no key is
 * stored in Redis in clear.
 */
export function clientKeyOf(req: Request, identity: Identity | null, apiKeys: ReadonlySet<string>): string {
  if (identity?.authenticated) return `sub:${hashed(identity.sub)}`;
  const apiKey = req.headers['x-api-key'];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  if (value && apiKeys.has(hashed(value))) return `key:${hashed(value)}`;
  return `ip:${addressOf(req)}`;
}

function addressOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Buckets one address may hold (one per token subject or verified key) beyond its own. */
export const MAX_BUCKETS_PER_ADDRESS = 16;

/**
 * Bounds the buckets each address can make: its first MAX_BUCKETS_PER_ADDRESS
 * subjects and keys get buckets of their own, any further ones take from the
 * address's own bucket. One address holding many tokens or keys cannot fill
 * the bucket table and push other clients' buckets out. Addresses are kept
 * least recently seen first, at most `maxAddresses` of them.
 */
export class BucketsPerAddress {
  private readonly keysOf = new Map<string, Set<string>>();

  constructor(
    private readonly maxPerAddress = MAX_BUCKETS_PER_ADDRESS,
    private readonly maxAddresses = 100_000,
  ) {}

  /** The client key to use: `key` while its address has room for it, else the address's own. */
  bound(address: string, key: string): string {
    const own = `ip:${address}`;
    if (key === own) return key;
    let keys = this.keysOf.get(address);
    if (keys) this.keysOf.delete(address);
    else if (this.keysOf.size >= this.maxAddresses) this.keysOf.delete(this.keysOf.keys().next().value!);
    keys ??= new Set();
    this.keysOf.set(address, keys);
    if (keys.has(key)) return key;
    if (keys.size >= this.maxPerAddress) return own;
    keys.add(key);
    return key;
  }
}

export interface RateLimitMiddlewareOptions {
  /** Called for every request refused (HTTP 429), e.g. to count them. */
  onRejected?: (details: { key: string; role: RateLimitRole; retryAfterSeconds: number }) => void;
  /** Whose bucket a request takes from; default clientKeyOf with `apiKeys`, bounded per address. */
  clientKey?: (req: Request, identity: Identity | null) => string;
  /** Verified x-api-key values, as RateLimitConfig.apiKeys. */
  apiKeys?: ReadonlySet<string>;
  log?: Logger;
}

/**
 * Mount on the GraphQL path before the body parser and Apollo, so a refused
 * request costs neither parsing nor planning. Over the limit it answers HTTP
 * 429 with Retry-After and a GraphQL-shaped body clients already know how to read.
 */
export function rateLimitMiddleware(
  limiter: RateLimiter,
  policies: RateLimitPolicies,
  identityOf: (req: Request) => Identity,
  options: RateLimitMiddlewareOptions = {},
): RequestHandler {
  const perAddress = new BucketsPerAddress();
  const apiKeys = options.apiKeys ?? new Set<string>();
  const keyOf = options.clientKey ?? ((req: Request, identity: Identity | null) => perAddress.bound(addressOf(req), clientKeyOf(req, identity, apiKeys)));
  return async (req, res, next) => {
    let identity: Identity | null;
    try {
      identity = identityOf(req);
    } catch {
      // A bad token: Apollo answers it with UNAUTHENTICATED; until then it is anonymous.
      identity = null;
    }
    const role = identity ? rateLimitRole(identity) : 'anonymous';
    // Roles get buckets of their own: anonymous traffic from an office's
    // shared IP must not use up the partner at the same address.
    const key = `${role}:${keyOf(req, identity)}`;
    let result: RateLimitDecision;
    try {
      result = await limiter.take(key, policies[role]);
    } catch (err) {
      // Limiters fail open themselves; this guards one that does not.
      options.log?.({ level: 'error', msg: 'rate limiter failed, request let through', err: String(err) });
      next();
      return;
    }
    if (result.allowed) {
      next();
      return;
    }
    options.onRejected?.({ key, role, retryAfterSeconds: result.retryAfterSeconds });
    res
      .status(429)
      .set('Retry-After', String(result.retryAfterSeconds))
      .json({
        errors: [
          {
            message: `Too many requests: try again in ${result.retryAfterSeconds} second${result.retryAfterSeconds === 1 ? '' : 's'}.`,
            extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: result.retryAfterSeconds },
          },
        ],
      });
  };
}

/**
 * A token bucket per client and role (RATE_LIMIT_*), in Redis when the
 * gateway shares one with its replicas. On /graphql before the body is read:
 * a refused request costs no parsing or planning. It reads the caller the
 * request identity feature verified.
 */
export function rateLimit(
  config: RateLimitConfig,
  options: { log: ProcessLogger; redis: Redis | null; timeoutMs: number; onRejected: (role: RateLimitRole) => void },
): GatewayFeature {
  if (!config.enabled) return { name: 'rate limit (off)' };
  const log: Logger = (entry) => options.log.warn(entry);
  const limiter = createRateLimiter(config, { log, redis: options.redis ?? undefined, timeoutMs: options.timeoutMs });
  return {
    name: 'rate limit',
    http: [
      rateLimitMiddleware(limiter, config.policies, (req) => requestContext(req).identity, {
        log,
        apiKeys: config.apiKeys,
        onRejected: ({ role }) => options.onRejected(role),
      }),
    ],
    shutdown: () => limiter.close(),
  };
}
