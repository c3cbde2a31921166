import { localSigningKey, mintToken, type TokenClaims } from '../common/localTokens';

/** The running catalog, as the command-line tools see it: its gateway and a bearer token. */
export class GatewayClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async request<Data>(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (err) {
      throw new Error(`cannot reach the gateway at ${this.url} (${(err as Error).message}); is the catalog running (npm start)?`, { cause: err });
    }
    const body = (await response.json().catch(() => null)) as { data?: Data; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    if (body?.errors?.length) {
      const [first] = body.errors;
      throw new Error(`${first.extensions?.code ?? 'ERROR'}: ${first.message}`);
    }
    if (!response.ok || !body?.data) throw new Error(`the gateway answered HTTP ${response.status}`);
    return body.data;
  }
}

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000/graphql';

/** A token given on the command line, else one minted with the locally configured key (AUTH_SECRET or the development secret). */
export function commandToken(given: string | undefined, claims: TokenClaims): string {
  if (given) return given;
  const key = localSigningKey(process.env);
  if (key.algorithm !== 'HS256') throw new Error('pass --token: tokens cannot be minted locally with an RS256 public key');
  if (key.development) console.error('warning: the token is signed with the development secret; only a catalog started with DEVELOPMENT_SECRETS=1 accepts it');
  return mintToken(claims, key.secret, 3600, key);
}
