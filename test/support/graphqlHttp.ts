// GraphQL over HTTP for the tests: one POST, to the gateway, a subgraph or a
// built process, with exactly the headers given.
import { DEV_AUTH_SECRET, type Identity, type Role } from '../../common/identity';
import { mintToken } from '../../common/localTokens';
import type { SubgraphName } from '../../common/topology';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** An answer as a client sees it: the HTTP status with the body's data and errors. */
export interface GraphQLResponse<Data = Record<string, unknown>> {
  status: number;
  data?: Data;
  errors?: GraphQLErrorShape[];
}

export interface GraphQLRequestBody {
  query?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: Record<string, unknown>;
}

/** The authorization header of a bearer token, or none. */
export const bearer = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/**
 * Sends one POST with a JSON body. An answer that is not JSON (a proxy's
 * error page) comes back as one error holding the start of its text.
 */
export async function post<Data = Record<string, unknown>>(
  url: string,
  body: GraphQLRequestBody,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data> & { headers: Headers }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, headers: response.headers, ...(JSON.parse(text) as object) };
  } catch {
    return { status: response.status, headers: response.headers, errors: [{ message: text.slice(0, 200) }] };
  }
}

/** The code of the first error, if any. */
export const codeOf = (response: Pick<GraphQLResponse<unknown>, 'errors'>): unknown => response.errors?.[0]?.extensions?.code;

/** What tests ask of a running catalog, in process (catalogGraph.ts) or as processes (catalogHarness.ts). */
export interface CatalogClient {
  /** Runs an operation through the gateway, as anonymous or with a bearer token. */
  query<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<Data>>;
  token(sub: string, roles: Role[], options?: { platform?: string; ttlSeconds?: number }): string;
  /** Sends an operation straight to one subgraph as `identity`, signed as the gateway or a peer subgraph signs it. */
  subgraphQuery<Data = Record<string, unknown>>(
    name: SubgraphName,
    query: string,
    variables: Record<string, unknown>,
    identity: Identity,
  ): Promise<GraphQLResponse<Data>>;
  /** SQL statements sent so far by all three subgraphs. */
  sqlStatements(): number;
  close(): Promise<void>;
}

/** A bearer token the catalog's gateway accepts (signed with the development secret); an hour unless told. */
export const testToken: CatalogClient['token'] = (sub, roles, options = {}) =>
  mintToken({ sub, roles, platform: options.platform ?? null }, DEV_AUTH_SECRET, options.ttlSeconds ?? 3600);
