import { ANONYMOUS, IDENTITY_HEADER, IdentitySigner } from '../../common/identity';
import { REQUEST_ID_HEADER } from '../../common/logging';
import type { GatewayFeature } from '../features/types';
import type { GatewayContext } from '../requestContext';
import type { CallLayer } from './layers';

/**
 * Forwards the verified caller to the subgraph as a short-lived header signed
 * for it alone (x-relief-identity, see common/identity.ts), and the request
 * id, so the subgraph's log lines join the gateway's. Signed for each
 * attempt: the signer reuses a header while it has half its life left.
 */
export function identityLayer(signer: IdentitySigner): CallLayer {
  return (call, next) => {
    const context = call.options.context as Partial<GatewayContext>;
    // Health checks and other gateway-internal fetches carry no caller: they go as anonymous.
    const headers: Record<string, string> = { ...call.headers, [IDENTITY_HEADER]: signer.sign(context.identity ?? ANONYMOUS) };
    if (context.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
    return next({ ...call, headers });
  };
}

/** SUBGRAPH_SECRET: signs the identity header each subgraph trusts, for that subgraph alone. */
export function subgraphIdentity(secret: string): GatewayFeature {
  return { name: 'subgraph identity', subgraphCall: (subgraph) => identityLayer(new IdentitySigner(secret, subgraph.name)) };
}
