import { envPort, envString, envUrl } from './environment';

type Env = Record<string, string | undefined>;

export const SUBGRAPH_NAMES = ['products', 'suppliers', 'certification'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  products: 4001,
  suppliers: 4002,
  certification: 4003,
};

/**
 * Where each subgraph answers: <NAME>_SUBGRAPH_URL, else http://<HOST>:<NAME>_PORT/graphql.
 * The gateway and the subgraphs that call each other read the same settings.
 */
export function subgraphUrls(env: Env): Record<SubgraphName, string> {
  const host = envString(env, 'SUBGRAPH_HOST', envString(env, 'HOST', '127.0.0.1'));
  const entries = SUBGRAPH_NAMES.map((name) => {
    const explicit = envUrl(env, `${name.toUpperCase()}_SUBGRAPH_URL`, ['http:', 'https:']);
    const port = envPort(env, `${name.toUpperCase()}_PORT`, DEFAULT_SUBGRAPH_PORTS[name]);
    return [name, explicit ?? `http://${host}:${port}/graphql`] as const;
  });
  return Object.fromEntries(entries) as Record<SubgraphName, string>;
}
