/**
 * Bearer tokens issued by the alliance's OpenID provider: verified against
 * its published keys (AUTH_JWKS_URL) with the issuer and audience checked.
 * jose fetches the key set once, keeps it, and fetches again when a token
 * names a key it does not know (the provider rotated its keys).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import { ErrorCode } from '../common/errors';
import { ROLES, type Identity, type Role } from '../common/identity';
import { identityFromHeaders, type TokenKey } from './bearerToken';

export interface OidcTokenSettings {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

function rejected(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

export type OidcTokenVerifier = (token: string) => Promise<Identity>;

export function oidcTokenVerifier(settings: OidcTokenSettings): OidcTokenVerifier {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return async (token) => {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      }));
    } catch (err) {
      throw rejected(err instanceof errors.JWTExpired ? 'The bearer token has expired.' : 'The bearer token is not valid.');
    }
    if (typeof claims['sub'] !== 'string' || claims['sub'].trim() === '') throw rejected('The bearer token has no subject (sub).');
    const roles = Array.isArray(claims['roles']) ? claims['roles'].filter((role): role is Role => ROLES.includes(role as Role)) : [];
    return {
      sub: claims['sub'],
      roles,
      platform: typeof claims['platform'] === 'string' ? claims['platform'] : null,
      authenticated: true,
      service: false,
    };
  };
}

/**
 * The caller of one request: a token whose `iss` is the OpenID provider goes
 * to its key set, any other to the gateway's own key (identityFromHeaders).
 * The unverified `iss` only picks the verifier; the verifier checks it.
 */
export function identityResolver(key: TokenKey, oidc: OidcTokenVerifier | null, issuer: string | null): (headers: IncomingHttpHeaders) => Promise<Identity> {
  return async (headers) => {
    const match = oidc && issuer ? /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '') : null;
    if (match && oidc) {
      let claimedIssuer: unknown;
      try {
        claimedIssuer = decodeJwt(match[1]!).iss;
      } catch {
        claimedIssuer = undefined;
      }
      if (claimedIssuer === issuer) return oidc(match[1]!);
    }
    return identityFromHeaders(headers, key);
  };
}
