// The identity header the third-party gateways (stock @apollo/gateway, Hive
// Gateway) send to our subgraphs. Those gateways know nothing about our
// x-relief-identity scheme, so the fairest setup is a static header signed
// once for "anonymous", exactly what our gateway signs per request for a
// caller without a token, but valid for the whole run instead of 30 s and
// for all three subgraphs (those gateways cannot sign per subgraph).
import { ANONYMOUS, signIdentity, verifyIdentity } from '../common/identity';
import { SUBGRAPH_NAMES } from '../common/topology';

/** An anonymous identity header valid for `ttlSeconds` (default 12 h: longer than any run). */
export function signBenchIdentity(secret: string, ttlSeconds = 12 * 3600): string {
  const token = signIdentity(ANONYMOUS, secret, [...SUBGRAPH_NAMES], ttlSeconds);
  checkBenchIdentity(token, secret);
  return token;
}

export function checkBenchIdentity(token: string, secret: string): void {
  for (const name of SUBGRAPH_NAMES) {
    const identity = verifyIdentity(token, secret, name);
    if (identity.sub !== ANONYMOUS.sub || identity.authenticated || identity.service) {
      throw new Error(`the bench identity header verifies as ${JSON.stringify(identity)}, not anonymous`);
    }
  }
}
