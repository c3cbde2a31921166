// The identity header the third-party gateways (stock @apollo/gateway, Hive
// Gateway) send to our subgraphs. Those gateways know nothing about our
// x-relief-identity scheme, so the fairest setup is a static header signed
// once for "anonymous", exactly what our gateway signs per request for a
// caller without a token, but valid for the whole run instead of 60 s.
//
// common/identity.ts signs with a fixed 60 s expiry and does not export its
// issuer and audience, so this file repeats them; `checkBenchIdentity`
// verifies the result with the subgraphs' own verifyIdentity, so a drift
// fails the run at start instead of turning every request into a 401.
import jwt from 'jsonwebtoken';
import { ANONYMOUS, verifyIdentity } from '../common/identity';

const ISSUER = 'relief-goods-graph/gateway';
const AUDIENCE = 'relief-goods-graph/subgraphs';

/** An anonymous identity header valid for `ttlSeconds` (default 12 h: longer than any run). */
export function signBenchIdentity(secret: string, ttlSeconds = 12 * 3600): string {
  const token = jwt.sign(
    { roles: ANONYMOUS.roles, platform: ANONYMOUS.platform, authenticated: ANONYMOUS.authenticated, service: ANONYMOUS.service },
    secret,
    { algorithm: 'HS256', subject: ANONYMOUS.sub, issuer: ISSUER, audience: AUDIENCE, expiresIn: ttlSeconds },
  );
  checkBenchIdentity(token, secret);
  return token;
}

export function checkBenchIdentity(token: string, secret: string): void {
  const identity = verifyIdentity(token, secret);
  if (identity.sub !== ANONYMOUS.sub || identity.authenticated || identity.service) {
    throw new Error(`the bench identity header verifies as ${JSON.stringify(identity)}, not anonymous`);
  }
}
