import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import jwt from 'jsonwebtoken';
import { ErrorCode } from '../common/errors';
import { ANONYMOUS, ROLES, secretKey, type Identity, type Role } from '../common/identity';

/** Claims a bearer token must carry when configured: AUTH_ISSUER (iss) and AUTH_AUDIENCE (aud). */
export interface TokenClaimsRequired {
  issuer?: string;
  audience?: string;
}

/** How bearer tokens are verified: a shared HS256 secret or an RS256 public key, and the issuer and audience if configured. */
export type TokenKey = ({ algorithm: 'HS256'; secret: string } | { algorithm: 'RS256'; publicKey: string }) & TokenClaimsRequired;

function rejected(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

/**
 * The caller's identity, verified once here at the gateway. No Authorization
 * header means anonymous (the public catalog); a header with a bad, expired or
 * wrongly signed token, one without exp, or one of another issuer or audience
 * than AUTH_ISSUER / AUTH_AUDIENCE fails the whole request with UNAUTHENTICATED rather
 * than silently downgrading the caller to anonymous.
 */
export function identityFromHeaders(headers: IncomingHttpHeaders, key: TokenKey): Identity {
  const header = headers.authorization;
  if (!header) return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw rejected('The Authorization header must be "Bearer <token>".');
  let claims: jwt.JwtPayload;
  const required = { ...(key.issuer ? { issuer: key.issuer } : {}), ...(key.audience ? { audience: key.audience } : {}) };
  try {
    claims =
      key.algorithm === 'HS256'
        ? (jwt.verify(match[1], secretKey(key.secret), { algorithms: ['HS256'], ...required }) as jwt.JwtPayload)
        : (jwt.verify(match[1], key.publicKey, { algorithms: ['RS256'], ...required }) as jwt.JwtPayload);
  } catch (err) {
    throw rejected(err instanceof jwt.TokenExpiredError ? 'The bearer token has expired.' : 'The bearer token is not valid.');
  }
  // jsonwebtoken takes a token without exp as valid forever; a leaked one would never lapse.
  if (typeof claims.exp !== 'number') throw rejected('The bearer token has no expiry (exp).');
  if (typeof claims.sub !== 'string' || claims.sub.trim() === '') throw rejected('The bearer token has no subject (sub).');
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role: unknown): role is Role => ROLES.includes(role as Role)) : [];
  return {
    sub: claims.sub,
    roles,
    platform: typeof claims.platform === 'string' ? claims.platform : null,
    authenticated: true,
    service: false,
  };
}
