import type { ApolloServerPlugin } from '@apollo/server';
import { OperationTypeNode } from 'graphql';

// Per request: the lowest cap a resolver put on how long its answer may be cached.
const caps = new WeakMap<object, number>();

/** Caps, in seconds, how long the answer to the request of `context` may be cached (never raises it). */
export function capCacheAge(context: object, maxAgeSeconds: number): void {
  const seconds = Math.max(0, Math.floor(maxAgeSeconds));
  const current = caps.get(context);
  if (current === undefined || seconds < current) caps.set(context, seconds);
}

/**
 * The subgraph's Cache-Control header: a successful query may be cached for
 * the subgraph's max age, or less when a resolver capped it (a certificate
 * that lapses sooner); anything else is `no-store`. One header per request,
 * where Apollo's cache control plugin would instrument every field resolver
 * to compute the same minimum.
 */
export function cacheControlPlugin<Context extends object>(maxAgeSeconds: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          const maxAge = Math.min(maxAgeSeconds, caps.get(contextValue) ?? Infinity);
          const cacheable =
            maxAge > 0 && operation?.operation === OperationTypeNode.QUERY && response.body.kind === 'single' && !response.body.singleResult.errors?.length;
          response.http.headers.set('cache-control', cacheable ? `max-age=${maxAge}, public` : 'no-store');
        },
      };
    },
  };
}
