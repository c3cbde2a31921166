import { ANONYMOUS, IDENTITY_HEADER, signIdentity } from '../../common/identity';
import type { GatewayFeature } from './types';

export interface ReadinessReport {
  ready: boolean;
  supergraphLoaded: boolean;
  subgraphs: Record<string, { up: boolean; error?: string }>;
}

const PROBE = JSON.stringify({ query: 'query ReadinessProbe { __typename }' });

async function probe(name: string, url: string, secret: string, timeoutMs: number): Promise<{ up: boolean; error?: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: signIdentity(ANONYMOUS, secret, name) },
      body: PROBE,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => null)) as { data?: { __typename?: string } } | null;
    return response.ok && body?.data?.__typename === 'Query' ? { up: true } : { up: false, error: `HTTP ${response.status}` };
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable';
    return { up: false, error: reason };
  }
}

/** Ready means: a supergraph is loaded and every subgraph in it answers a trivial query now. */
export async function checkReadiness(
  supergraphLoaded: boolean,
  subgraphs: ReadonlyMap<string, string>,
  secret: string,
  timeoutMs = 2000,
): Promise<ReadinessReport> {
  const entries = await Promise.all([...subgraphs].map(async ([name, url]) => [name, await probe(name, url, secret, timeoutMs)] as const));
  const report = Object.fromEntries(entries);
  return {
    ready: supergraphLoaded && subgraphs.size > 0 && entries.every(([, status]) => status.up),
    supergraphLoaded,
    subgraphs: report,
  };
}

/** GET /health: the process is up. */
export function health(): GatewayFeature {
  return {
    name: 'health',
    routes: (app) =>
      app.get('/health', (_req, res) => {
        res.json({ status: 'ok' });
      }),
  };
}

/** GET /ready: 200 while a supergraph is loaded and every subgraph answers, 503 naming the failing ones otherwise. */
export function readiness(secret: string): GatewayFeature {
  let loaded = false;
  let subgraphs: ReadonlyMap<string, string> = new Map();
  return {
    name: 'readiness',
    supergraphLoaded: (supergraph) => {
      loaded = true;
      subgraphs = supergraph.subgraphs;
    },
    routes: (app) =>
      app.get('/ready', async (_req, res) => {
        const report = await checkReadiness(loaded, subgraphs, secret);
        const failing = Object.entries(report.subgraphs)
          .filter(([, status]) => !status.up)
          .map(([name]) => name);
        res.status(report.ready ? 200 : 503).json({
          status: report.ready ? 'ready' : 'not ready',
          ...(failing.length ? { failing } : {}),
          ...report,
        });
      }),
  };
}
