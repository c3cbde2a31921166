import { setTimeout as delay } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../common/errors';
import type { GatewayFeature } from '../features/types';
import type { CallLayer } from './layers';

// Worth another try: the subgraph could not be reached or timed out (see
// unreachable in subgraphAnswer.ts), or a proxy in front of it answered that
// it is unavailable.
export function retryable(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  if (error.extensions?.code === ErrorCode.DOWNSTREAM_SERVICE_ERROR) return true;
  const status = (error.extensions?.response as { status?: number } | undefined)?.status;
  return status === 502 || status === 503 || status === 504;
}

/**
 * A failed read is tried `retries` more times, after 50 ms, then 100 ms, …;
 * a mutation is tried once. The last failure is what the caller sees.
 */
export function retryReads(retries: number, wait: (ms: number) => Promise<unknown> = delay): CallLayer {
  return async (call, next) => {
    const attempts = call.read ? 1 + retries : 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await next(call);
      } catch (error) {
        if (attempt >= attempts || !retryable(error)) throw error;
        await wait(50 * 2 ** (attempt - 1));
      }
    }
  };
}

/** SUBGRAPH_RETRIES: extra attempts for a failed read. */
export function readRetries(retries: number): GatewayFeature {
  return { name: 'read retries', subgraphCall: () => retryReads(retries) };
}
