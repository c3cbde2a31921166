import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { print } from 'graphql';

/** How a request reaches the peer: the global fetch, or the in-process graph of the tests. */
export type PeerFetch = (url: string, init: RequestInit) => Promise<Response>;

// Each document is printed once, however often it is sent.
const printed = new WeakMap<DocumentNode, string>();
function textOf(document: DocumentNode | string): string {
  if (typeof document === 'string') return document;
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

/**
 * A GraphQL-over-HTTP client for one subgraph calling another's API (never its
 * database). Operations are codegen's typed documents (each subgraph's
 * generated/<peer>Operations.ts), so what crosses the boundary is checked
 * against the peer's schema. Failures become plain Errors: the caller's error
 * masking turns them into INTERNAL_SERVER_ERROR for clients and logs the detail.
 */
export class SubgraphClient {
  constructor(
    private readonly name: string,
    private readonly url: string,
    private readonly headers: () => Promise<Record<string, string>> = async () => ({}),
    private readonly timeoutMs = 5000,
    private readonly fetcher: PeerFetch = (url, init) => fetch(url, init),
  ) {}

  /** Sends a typed operation: its variables are checked and its answer typed by the document. */
  request<Data, Variables extends Record<string, unknown>>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
  /** Sends an operation given as text, its answer typed by the caller (codegen's `<Name>Query` type). */
  request<Data>(document: DocumentNode | string, variables?: Record<string, unknown>): Promise<Data>;
  async request<Data>(document: DocumentNode | string, variables: Record<string, unknown> = {}): Promise<Data> {
    const query = textOf(document);
    const send = async () =>
      this.fetcher(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await this.headers()) },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    // A read is tried once more when the connection failed or a proxy in front
    // of the peer answered that no replica could take it (one replica of the
    // peer killed or restarting), as the gateway does for its subgraph reads.
    const read = !/^\s*mutation\b/.test(query);
    let response: Response;
    try {
      response = await send();
      if (read && [502, 503, 504].includes(response.status)) response = await send();
    } catch (err) {
      if (!read || (err as Error).name === 'TimeoutError') throw err;
      response = await send();
    }
    const body = (await response.json().catch(() => null)) as { data?: Data; errors?: { message: string }[] } | null;
    if (!response.ok || !body || body.errors?.length || body.data === undefined) {
      const detail = body?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
      throw new Error(`${this.name} subgraph request failed: ${detail}`);
    }
    return body.data;
  }
}
