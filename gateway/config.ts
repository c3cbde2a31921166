import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, envBoolean, envInt, envPort, envString, envUrl } from '../common/environment';
import { authSecret, DEV_AUTH_SECRET, DEV_SUBGRAPH_SECRET, subgraphSecret } from '../common/identity';
import { logLevel } from '../common/logging';
import { subgraphUrls, type SubgraphName } from '../common/topology';
import { consoleSettingsFromEnv, type ConsoleSettings } from './console/consoleSettings';
import type { TokenClaimsRequired, TokenKey } from './bearerToken';
import type { OidcTokenSettings } from './oidcTokens';
import { documentLimitsFromEnv, type DocumentLimits } from './features/documentLimits';
import { queryLimitsFromEnv, type QueryLimits } from './features/queryLimits';
import { rateLimitConfigFromEnv, type RateLimitConfig } from './features/rateLimit';
import { DEFAULT_REDIS_TIMEOUT_MS } from './redisConnection';

type Env = Record<string, string | undefined>;

function requiredClaims(env: Env): TokenClaimsRequired {
  const issuer = envString(env, 'AUTH_ISSUER');
  const audience = envString(env, 'AUTH_AUDIENCE');
  return { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
}

export interface GatewayConfig {
  /** HOST, default 127.0.0.1. */
  host: string;
  /** PORT, default 4000 (0 picks a free port). */
  port: number;
  /** SUPERGRAPH_PATH: serve this composed supergraph file; unset composes schema/ at start. */
  supergraphPath: string | null;
  /** <NAME>_SUBGRAPH_URL, or http://HOST:<NAME>_PORT/graphql. */
  subgraphUrls: Record<SubgraphName, string>;
  tokenKey: TokenKey;
  /** AUTH_JWKS_URL: also accept tokens of the OpenID provider OIDC_ISSUER, audience AUTH_AUDIENCE (default OIDC_CLIENT_ID). */
  oidcTokens: OidcTokenSettings | null;
  /** SUBGRAPH_SECRET: signs the identity header subgraphs trust. */
  subgraphSecret: string;
  /** The variables whose publicly known development value is in use (DEVELOPMENT_SECRETS=1); logged as a warning at start. */
  developmentSecrets: string[];
  production: boolean;
  /** SUBGRAPH_TIMEOUT_MS (5000), SUBGRAPH_MUTATION_TIMEOUT_MS (60000) and SUBGRAPH_RETRIES (1, reads only). */
  subgraphFetch: { timeoutMs: number; mutationTimeoutMs: number; retries: number };
  /** SHUTDOWN_GRACE_MS (10000): how long SIGTERM lets in-flight requests finish. */
  shutdownGraceMs: number;
  /** INTROSPECTION: default on outside production, off in production. */
  introspection: boolean;
  /** CORS_ORIGINS: comma-separated origins allowed to call from a browser; none by default. */
  corsOrigins: string[];
  /** MAX_BODY_BYTES (1 MiB): larger request bodies are refused before parsing. */
  maxBodyBytes: number;
  /**
   * MAX_ANONYMOUS_BODY_BYTES (64 KiB, never above MAX_BODY_BYTES): the body limit for a request
   * without a valid token. Only partners' listing batches are large; a flood of large anonymous
   * documents is refused from its Content-Length, before the gateway reads or parses it.
   */
  maxAnonymousBodyBytes: number;
  /** PERSISTED_QUERIES: auto (APQ, the default), only (trusted documents from the manifest) or off. */
  persistedQueries: 'auto' | 'only' | 'off';
  /** PERSISTED_QUERY_MANIFEST (./persisted-query-manifest.json, built by npm run manifest). */
  persistedQueryManifest: string;
  /** RESPONSE_CACHE: on (default) or off. */
  responseCache: boolean;
  /** REDIS_URL: share the response cache, APQ, rate limits and catalog version among replicas. */
  redisUrl: string | null;
  /** REDIS_KEY_PREFIX (relief-goods-graph:): one per deployment sharing a Redis. */
  redisKeyPrefix: string;
  /** REDIS_TIMEOUT_MS (250): how long any Redis command may take before its fallback (cache miss, no limit). */
  redisTimeoutMs: number;
  /** SUPERGRAPH_POLL_MS (2000): how often SUPERGRAPH_PATH is checked for changes. */
  supergraphPollMs: number;
  /** LOG_LEVEL (info). */
  logLevel: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: traces over OTLP/HTTP to <endpoint>/v1/traces; unset, none. */
  otlpEndpoint: string | null;
  /** MAX_QUERY_DEPTH, MAX_QUERY_ALIASES, MAX_QUERY_FIELDS, MAX_QUERY_COST. */
  queryLimits: QueryLimits;
  /** MAX_QUERY_TOKENS, MAX_QUERY_SELECTIONS: checked before Apollo parses and validates. */
  documentLimits: DocumentLimits;
  /** RATE_LIMIT, RATE_LIMIT_ANONYMOUS, RATE_LIMIT_PARTNER, RATE_LIMIT_CERTIFIER. */
  rateLimit: RateLimitConfig;
  /** Where GET /metrics is served; see metricsConfig. */
  metrics: MetricsConfig;
  /** PLAYGROUND: serve GraphiQL at / (default on outside production, off in production). */
  playground: boolean;
  /** In production: no "Did you mean …" in error messages, which would spell out the schema. */
  hideSuggestions: boolean;
  /** The staff console at /console: OIDC_ISSUER, OIDC_CLIENT_ID, CONSOLE_SESSION_SECONDS; development sign-in with the development AUTH_SECRET. */
  console: ConsoleSettings;
}

/**
 * GET /metrics. METRICS_PORT: on a listener of its own at METRICS_HOST
 * (127.0.0.1), not on the public port. METRICS_TOKEN: only with
 * `Authorization: Bearer <token>`, wherever it is served. With neither, the
 * public port serves it outside production only.
 */
export interface MetricsConfig {
  port: number | null;
  host: string;
  token: string | null;
  /** Whether the public port answers GET /metrics (with the token when one is set). */
  onPublicPort: boolean;
}

export function metricsConfig(env: Env, production: boolean): MetricsConfig {
  const port = envString(env, 'METRICS_PORT') === undefined ? null : envPort(env, 'METRICS_PORT', 0);
  const token = envString(env, 'METRICS_TOKEN') ?? null;
  if (token !== null && token.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  return {
    port,
    host: envString(env, 'METRICS_HOST', '127.0.0.1'),
    token,
    onPublicPort: port === null && (token !== null || !production),
  };
}

/** AUTH_PUBLIC_KEY_PATH (RS256) or AUTH_SECRET (HS256), the development secret only with DEVELOPMENT_SECRETS=1; AUTH_ISSUER, AUTH_AUDIENCE. */
export function tokenKey(env: Env): TokenKey {
  const keyPath = envString(env, 'AUTH_PUBLIC_KEY_PATH');
  if (keyPath) {
    if (!existsSync(keyPath)) throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `names a file that does not exist: ${keyPath}`);
    const publicKey = readFileSync(keyPath, 'utf8');
    // Fail at start, not with a 401 on every request, when the file is no RSA public key.
    let type: string | undefined;
    try {
      type = createPublicKey(publicKey).asymmetricKeyType;
    } catch {
      throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `does not hold a PEM public key: ${keyPath}`);
    }
    if (type !== 'rsa') throw new ConfigError('AUTH_PUBLIC_KEY_PATH', `must hold an RSA public key for RS256, got ${type}`);
    return { algorithm: 'RS256', publicKey, ...requiredClaims(env) };
  }
  return { algorithm: 'HS256', secret: authSecret(env), ...requiredClaims(env) };
}

function oidcTokenSettings(env: Env): OidcTokenSettings | null {
  const jwksUrl = envUrl(env, 'AUTH_JWKS_URL', ['http:', 'https:']);
  if (!jwksUrl) return null;
  const issuer = envUrl(env, 'OIDC_ISSUER', ['http:', 'https:']);
  if (!issuer) throw new ConfigError('OIDC_ISSUER', 'is required when AUTH_JWKS_URL is set (tokens must name it as their issuer)');
  const audience = envString(env, 'AUTH_AUDIENCE') ?? envString(env, 'OIDC_CLIENT_ID');
  if (!audience) throw new ConfigError('AUTH_AUDIENCE', 'or OIDC_CLIENT_ID is required when AUTH_JWKS_URL is set');
  return { jwksUrl, issuer: issuer.replace(/\/+$/, ''), audience };
}

function supergraphPath(env: Env): string | null {
  const path = envString(env, 'SUPERGRAPH_PATH');
  if (path && !existsSync(path)) throw new ConfigError('SUPERGRAPH_PATH', `names a file that does not exist: ${path}`);
  return path ?? null;
}

/** Where the gateway listens: HOST (127.0.0.1) and PORT (4000). */
export function gatewayListenAddress(env: Env): { host: string; port: number } {
  return { host: envString(env, 'HOST', '127.0.0.1'), port: envPort(env, 'PORT', 4000) };
}

export function gatewayConfig(env: Env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const persistedQueries = envString(env, 'PERSISTED_QUERIES', 'auto');
  if (persistedQueries !== 'auto' && persistedQueries !== 'only' && persistedQueries !== 'off') {
    throw new ConfigError('PERSISTED_QUERIES', `must be auto, only or off, got "${persistedQueries}"`);
  }
  const key = tokenKey(env);
  const secret = subgraphSecret(env);
  return {
    ...gatewayListenAddress(env),
    supergraphPath: supergraphPath(env),
    subgraphUrls: subgraphUrls(env),
    tokenKey: key,
    oidcTokens: oidcTokenSettings(env),
    subgraphSecret: secret,
    developmentSecrets: [
      ...(key.algorithm === 'HS256' && key.secret === DEV_AUTH_SECRET ? ['AUTH_SECRET'] : []),
      ...(secret === DEV_SUBGRAPH_SECRET ? ['SUBGRAPH_SECRET'] : []),
    ],
    production,
    subgraphFetch: {
      timeoutMs: envInt(env, 'SUBGRAPH_TIMEOUT_MS', 5000, { min: 1, max: 300_000 }),
      mutationTimeoutMs: envInt(env, 'SUBGRAPH_MUTATION_TIMEOUT_MS', 60_000, { min: 1, max: 600_000 }),
      retries: envInt(env, 'SUBGRAPH_RETRIES', 1, { min: 0, max: 5 }),
    },
    shutdownGraceMs: envInt(env, 'SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 }),
    introspection: envBoolean(env, 'INTROSPECTION', !production),
    corsOrigins: (envString(env, 'CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean)
      .map((origin) => {
        if (origin !== '*' && !/^https?:\/\/[^/]+$/.test(origin)) {
          throw new ConfigError('CORS_ORIGINS', `must list origins like https://shop.example.cn, got "${origin}"`);
        }
        return origin;
      }),
    maxBodyBytes: envInt(env, 'MAX_BODY_BYTES', 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    maxAnonymousBodyBytes: envInt(env, 'MAX_ANONYMOUS_BODY_BYTES', 64 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    persistedQueries,
    persistedQueryManifest: envString(env, 'PERSISTED_QUERY_MANIFEST', 'persisted-query-manifest.json'),
    responseCache: envBoolean(env, 'RESPONSE_CACHE', true),
    redisUrl: envUrl(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? null,
    redisKeyPrefix: envString(env, 'REDIS_KEY_PREFIX', 'relief-goods-graph:'),
    redisTimeoutMs: envInt(env, 'REDIS_TIMEOUT_MS', DEFAULT_REDIS_TIMEOUT_MS, { min: 10, max: 10_000 }),
    supergraphPollMs: envInt(env, 'SUPERGRAPH_POLL_MS', 2000, { min: 100, max: 600_000 }),
    logLevel: logLevel(env),
    otlpEndpoint: envUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']) ?? null,
    queryLimits: queryLimitsFromEnv(env),
    documentLimits: documentLimitsFromEnv(env),
    rateLimit: rateLimitConfigFromEnv(env),
    metrics: metricsConfig(env, production),
    playground: envBoolean(env, 'PLAYGROUND', !production),
    hideSuggestions: production,
    console: consoleSettingsFromEnv(env, key.algorithm === 'HS256' && key.secret === DEV_AUTH_SECRET),
  };
}
