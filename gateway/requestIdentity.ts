/**
 * Verifies the caller once per request, before the rate limiter and Apollo,
 * which both read the outcome here instead of verifying the token again.
 * Verification may be asynchronous (an OpenID provider's key set).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Identity } from '../common/identity';

const outcomes = new WeakMap<Request, { identity: Identity } | { error: unknown }>();

export function requestIdentityMiddleware(resolve: (headers: IncomingHttpHeaders) => Promise<Identity>): RequestHandler {
  return (req, _res, next) => {
    resolve(req.headers)
      .then((identity) => outcomes.set(req, { identity }))
      .catch((error: unknown) => outcomes.set(req, { error }))
      .finally(() => next());
  };
}

/** The verified caller; throws the verification's error (UNAUTHENTICATED) for a bad token. */
export function requestIdentity(req: Request): Identity {
  const outcome = outcomes.get(req);
  if (!outcome) throw new Error('requestIdentityMiddleware did not run for this request');
  if ('error' in outcome) throw outcome.error;
  return outcome.identity;
}
