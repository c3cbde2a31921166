import jwt from 'jsonwebtoken';
import { envString } from './environment';
import { authSecret, DEV_AUTH_SECRET, type Role } from './identity';

type Env = Record<string, string | undefined>;

/**
 * Bearer tokens for local use: `npm run token`, the import and platform
 * commands and the tests mint them here, signed as the gateway expects
 * (HS256 with AUTH_SECRET). Verifying them is the gateway's job
 * (gateway/bearerToken.ts); the only running server that mints one is the
 * console's development sign-in, outside production.
 */
export interface TokenClaims {
  sub: string;
  roles: Role[];
  /** For partners: the platform the token is scoped to. */
  platform?: string | null;
}

/** The issuer and audience the gateway checks when AUTH_ISSUER and AUTH_AUDIENCE are set. */
export interface TokenAddress {
  issuer?: string;
  audience?: string;
}

export function mintToken(claims: TokenClaims, secret: string, ttlSeconds: number, address: TokenAddress = {}): string {
  return jwt.sign({ roles: claims.roles, ...(claims.platform ? { platform: claims.platform } : {}) }, secret, {
    algorithm: 'HS256',
    subject: claims.sub,
    expiresIn: ttlSeconds,
    ...(address.issuer ? { issuer: address.issuer } : {}),
    ...(address.audience ? { audience: address.audience } : {}),
  });
}

/**
 * What a local tool can sign with, read from the same variables as the
 * gateway: AUTH_SECRET (or the development secret with DEVELOPMENT_SECRETS=1,
 * which only a catalog started the same way accepts). With
 * AUTH_PUBLIC_KEY_PATH the gateway verifies RS256 tokens issued elsewhere,
 * and none can be minted here.
 */
export type LocalSigningKey = ({ algorithm: 'HS256'; secret: string; development: boolean } & TokenAddress) | { algorithm: 'RS256' };

export function localSigningKey(env: Env): LocalSigningKey {
  if (envString(env, 'AUTH_PUBLIC_KEY_PATH')) return { algorithm: 'RS256' };
  const secret = authSecret(env);
  const issuer = envString(env, 'AUTH_ISSUER');
  const audience = envString(env, 'AUTH_AUDIENCE');
  return { algorithm: 'HS256', secret, development: secret === DEV_AUTH_SECRET, ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
}
