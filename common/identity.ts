import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { envSecret } from './environment';
import { forbidden, unauthenticated } from './errors';

type Env = Record<string, string | undefined>;

export const ROLES = ['certifier', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking, as verified by the gateway (or a subgraph calling another one). */
export interface Identity {
  /** The actor's name: the token's `sub`, "anonymous", or "service:<subgraph>". */
  sub: string;
  roles: Role[];
  /** For partners: the platform code their token is scoped to. */
  platform: string | null;
  authenticated: boolean;
  /** A subgraph calling another subgraph's internal API. */
  service: boolean;
}

export const ANONYMOUS: Identity = { sub: 'anonymous', roles: [], platform: null, authenticated: false, service: false };

export function serviceIdentity(subgraph: string): Identity {
  return { sub: `service:${subgraph}`, roles: [], platform: null, authenticated: true, service: true };
}

/** The header that carries the gateway-signed identity to subgraphs. */
export const IDENTITY_HEADER = 'x-relief-identity';

const ISSUER = 'relief-goods-graph/gateway';
// Short-lived and bound to one subgraph (its name is the audience): a header
// captured from internal traffic works on no other subgraph, and on its own
// for half a minute at most.
export const IDENTITY_TTL_SECONDS = 30;
export const DEV_SUBGRAPH_SECRET = 'relief-goods-graph-dev-subgraph-secret-not-for-production';

/**
 * The secret the gateway and the subgraphs share to sign identity headers:
 * SUBGRAPH_SECRET; the fixed development value only with DEVELOPMENT_SECRETS=1
 * (see envSecret), so a forgotten secret stops the process instead of
 * quietly trusting a key anyone can read in this repository.
 */
export function subgraphSecret(env: Env): string {
  return envSecret(env, 'SUBGRAPH_SECRET', DEV_SUBGRAPH_SECRET);
}

// Only with DEVELOPMENT_SECRETS=1 (npm start, tests); never in production.
export const DEV_AUTH_SECRET = 'relief-goods-graph-dev-auth-secret-not-for-production';

/**
 * AUTH_SECRET: the HS256 key of callers' bearer tokens, which the gateway
 * verifies and local tools sign with (common/localTokens.ts); the
 * development value only with DEVELOPMENT_SECRETS=1.
 */
export function authSecret(env: Env): string {
  return envSecret(env, 'AUTH_SECRET', DEV_AUTH_SECRET, 'or AUTH_PUBLIC_KEY_PATH ');
}

/** The warning every process logs at start while a development secret stands in for a real one. */
export function developmentSecretWarning(variables: string[]): Record<string, unknown> | null {
  if (variables.length === 0) return null;
  return {
    msg: `development secret in use for ${variables.join(' and ')}: anyone can sign requests this process trusts; set ${variables.join(' and ')} outside local development`,
    developmentSecrets: variables,
  };
}

// Signing runs for every request: given a string, jsonwebtoken first tries to
// read it as a private key, which costs more than the signature itself. A
// secret key object, made once per secret, skips that.
const secretKeys = new Map<string, KeyObject>();
export function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/**
 * The header for requests to `audience`: the subgraph's name (the benchmark's
 * third-party gateways, which cannot sign per subgraph, name them all).
 */
export function signIdentity(identity: Identity, secret: string, audience: string | string[], ttlSeconds = IDENTITY_TTL_SECONDS, nowMs = Date.now()): string {
  return jwt.sign(
    {
      roles: identity.roles,
      platform: identity.platform,
      authenticated: identity.authenticated,
      service: identity.service,
      iat: Math.floor(nowMs / 1000),
    },
    secretKey(secret),
    { algorithm: 'HS256', subject: identity.sub, issuer: ISSUER, audience, expiresIn: ttlSeconds },
  );
}

/**
 * Signs identity headers for one subgraph, reusing one while it has more than
 * half its life left: a gateway serving many requests of one caller (every
 * anonymous one) signs once per quarter-minute instead of once per request,
 * and identical subgraph fetches of one caller carry the same header.
 */
export class IdentitySigner {
  private readonly signed = new Map<string, { header: string; freshUntil: number }>();

  constructor(
    private readonly secret: string,
    private readonly audience: string,
    private readonly ttlSeconds = IDENTITY_TTL_SECONDS,
    private readonly now: () => number = Date.now,
  ) {}

  sign(identity: Identity): string {
    const key = JSON.stringify([identity.sub, identity.roles, identity.platform, identity.authenticated, identity.service]);
    const now = this.now();
    const cached = this.signed.get(key);
    if (cached && cached.freshUntil > now) return cached.header;
    if (this.signed.size >= 10_000) this.signed.clear();
    const header = signIdentity(identity, this.secret, this.audience, this.ttlSeconds, now);
    this.signed.set(key, { header, freshUntil: now + (this.ttlSeconds * 1000) / 2 });
    return header;
  }
}

/**
 * Verifies an identity header for the subgraph named `audience`; throws when
 * it is missing, forged, stale, without an expiry or meant for another subgraph.
 */
export function verifyIdentity(header: string | undefined, secret: string, audience: string): Identity {
  const refused = () => unauthenticated('Subgraphs answer only requests that come through the gateway.');
  if (!header) throw refused();
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(header, secretKey(secret), { algorithms: ['HS256'], issuer: ISSUER, audience }) as jwt.JwtPayload;
  } catch {
    throw refused();
  }
  // jsonwebtoken accepts a token without exp as valid forever.
  if (typeof claims.exp !== 'number') throw refused();
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role: unknown): role is Role => ROLES.includes(role as Role)) : [];
  return {
    sub: String(claims.sub ?? 'anonymous'),
    roles,
    platform: typeof claims.platform === 'string' ? claims.platform : null,
    authenticated: claims.authenticated === true,
    service: claims.service === true,
  };
}

/** UNAUTHENTICATED without a valid token, FORBIDDEN with one that lacks every role named. */
export function requireRole(identity: Identity, roles: Role[], what: string): void {
  if (!identity.authenticated) throw unauthenticated(`${what} needs a bearer token with the role ${roles.join(' or ')}.`);
  if (!roles.some((role) => identity.roles.includes(role))) {
    throw forbidden(`${what} needs the role ${roles.join(' or ')}.`);
  }
}

/** True for certification staff; staff-only fields read as null for everyone else. */
export function isCertifier(identity: Identity): boolean {
  return identity.authenticated && identity.roles.includes('certifier');
}
