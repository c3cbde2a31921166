/**
 * Verifies the caller once per request, before the rate limiter and Apollo:
 * the verified identity goes on the request's context, where every later
 * handler, plugin and subgraph fetch reads it. Verification may be
 * asynchronous (an OpenID provider's key set).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '../../common/identity';
import { requestContext, type GatewayContext } from '../requestContext';
import type { GatewayFeature } from './types';

export function requestIdentity(verify: (headers: IncomingHttpHeaders) => Promise<Identity>): GatewayFeature {
  // A refused token (UNAUTHENTICATED), by the request's context: until Apollo
  // answers it, the request reads as anonymous (its rate limit, its body limit).
  const refusals = new WeakMap<GatewayContext, unknown>();
  return {
    name: 'request identity',
    http: [
      (req, _res, next) => {
        const context = requestContext(req);
        verify(req.headers)
          .then((identity) => {
            context.identity = identity;
          })
          .catch((error: unknown) => refusals.set(context, error))
          .finally(() => next());
      },
    ],
    // A bad token fails the whole request rather than silently downgrading the caller to anonymous.
    context: (context) => {
      if (refusals.has(context)) throw refusals.get(context);
    },
  };
}
