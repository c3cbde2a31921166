import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { GatewayFeature } from '../features/types';
import type { SubgraphAnswer, SubgraphPost, Transport } from './layers';

export interface SubgraphFetchPolicy {
  /** SUBGRAPH_TIMEOUT_MS: how long one subgraph read may take. */
  timeoutMs: number;
  /**
   * SUBGRAPH_MUTATION_TIMEOUT_MS: how long a mutation may take. Longer than a
   * read's: a mutation cut short may still be applied, and a batch of a
   * thousand listings is slow on a cold store.
   */
  mutationTimeoutMs?: number;
  /** SUBGRAPH_RETRIES: extra attempts for a failed read (never for a mutation). */
  retries: number;
}

function headerText(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/**
 * One POST to a subgraph over a keep-alive connection. Plain node:http
 * rather than fetch: fetch builds a Request, Headers and an abort signal for
 * every call, which at a few subgraph fetches per operation costs the gateway
 * more CPU than parsing the answers.
 */
export function postAnswer(url: URL, agent: HttpAgent, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number): Promise<SubgraphAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const request = send(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          cacheControl: headerText(response.headers['cache-control']),
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      request.destroy(error);
      fail(error);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

/**
 * The gateway's connection to one subgraph: keep-alive POSTs, each bounded by
 * the read timeout, or by the mutation's own for a mutation.
 */
export function keepAliveTransport(url: string, policy: SubgraphFetchPolicy): Transport {
  const endpoint = new URL(url);
  const agent = endpoint.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  return {
    send: (post: SubgraphPost) =>
      postAnswer(endpoint, agent, post.headers, post.body, post.call.read ? policy.timeoutMs : (policy.mutationTimeoutMs ?? policy.timeoutMs)),
    close: () => agent.destroy(),
  };
}

/** SUBGRAPH_TIMEOUT_MS, SUBGRAPH_MUTATION_TIMEOUT_MS: the POSTs, over keep-alive connections closed when the gateway stops. */
export function keepAliveConnections(policy: SubgraphFetchPolicy): GatewayFeature {
  return { name: 'keep-alive connections', subgraphTransport: (subgraph) => keepAliveTransport(subgraph.url, policy) };
}
