import type { DocumentNode } from 'graphql';
import { print } from 'graphql';

/**
 * A GraphQL-over-HTTP client for one subgraph calling another's API (never its
 * database). Failures become plain Errors: the caller's error masking turns
 * them into INTERNAL_SERVER_ERROR for clients and logs the detail.
 */
export class SubgraphClient {
  constructor(
    private readonly name: string,
    private readonly url: string,
    private readonly headers: () => Promise<Record<string, string>> = async () => ({}),
    private readonly timeoutMs = 5000,
  ) {}

  async request<Data>(document: DocumentNode | string, variables: Record<string, unknown> = {}): Promise<Data> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.headers()) },
      body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await response.json().catch(() => null)) as { data?: Data; errors?: { message: string }[] } | null;
    if (!response.ok || !body || body.errors?.length || body.data === undefined) {
      const detail = body?.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
      throw new Error(`${this.name} subgraph request failed: ${detail}`);
    }
    return body.data;
  }
}
