import type { CallLayer, SubgraphInfo } from './layers';

export interface SubgraphFetchObserver {
  (event: { subgraph: string; seconds: number; outcome: 'ok' | 'error' }): void;
}

/** Times each attempt of a fetch and tells whether it failed (inside the retries: each attempt counts). */
export function timingLayer(subgraph: SubgraphInfo, observe: SubgraphFetchObserver): CallLayer {
  return async (call, next) => {
    const started = process.hrtime.bigint();
    try {
      const response = await next(call);
      observe({ subgraph: subgraph.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'ok' });
      return response;
    } catch (error) {
      observe({ subgraph: subgraph.name, seconds: Number(process.hrtime.bigint() - started) / 1e9, outcome: 'error' });
      throw error;
    }
  };
}
