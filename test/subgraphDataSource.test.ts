// The gateway's subgraph client against a plain HTTP endpoint that plays a
// subgraph: side-by-side reads of one request go out merged, and when the
// subgraph refuses the merged document each read goes out on its own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ANONYMOUS, IdentitySigner } from '../common/identity';
import { FetchMerger, mergeLayer } from '../gateway/fetch/fetchBatching';
import { identityLayer } from '../gateway/fetch/identity';
import { collapseLayer } from '../gateway/fetch/representations';
import { retryReads } from '../gateway/fetch/retry';
import { shareLayer, SharedFetches } from '../gateway/fetch/sharedFetches';
import { SubgraphDataSource } from '../gateway/fetch/subgraphDataSource';
import { keepAliveTransport, type SubgraphFetchPolicy } from '../gateway/fetch/transport';
import type { GatewayContext } from '../gateway/requestContext';

const secret = 's'.repeat(40);

// The layers the gateway composes for a subgraph (gateway/server.ts), without its observers.
function dataSource(name: string, url: string, policy: SubgraphFetchPolicy = { timeoutMs: 5000, retries: 1 }): SubgraphDataSource {
  const subgraph = { name, url };
  return new SubgraphDataSource(subgraph, {
    call: [collapseLayer(subgraph), retryReads(policy.retries), identityLayer(new IdentitySigner(secret, name))],
    post: [shareLayer(subgraph, new SharedFetches()), mergeLayer(subgraph, new FetchMerger())],
    transport: keepAliveTransport(url, policy),
  });
}

interface Seen {
  query: string;
  variables: Record<string, unknown>;
}

async function fakeSubgraph(refuseMerged: boolean): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as Seen;
      seen.push(request);
      res.setHeader('content-type', 'application/json');
      if (request.query.includes('_b0_')) {
        if (refuseMerged) {
          res.statusCode = 400;
          res.end(JSON.stringify({ errors: [{ message: 'merged documents are not welcome here' }] }));
          return;
        }
        res.end(JSON.stringify({ data: { _b0_region: { code: request.variables._b0_code }, _b1_region: { code: request.variables._b1_code } } }));
        return;
      }
      res.end(JSON.stringify({ data: { region: { code: request.variables.code } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, seen };
}

function read(context: GatewayContext, code: string): GraphQLDataSourceProcessOptions<GatewayContext> {
  return {
    kind: 'incoming operation',
    request: { query: 'query Fetch($code: ID!) { region(code: $code) { code } }', variables: { code } },
    context,
    incomingRequestContext: { overallCachePolicy: undefined } as never,
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
}

describe('SubgraphDataSource', () => {
  it.each([
    ['merges side-by-side reads of one request into one request', false, 1],
    ['sends each read on its own when the subgraph refuses the merged document', true, 3],
  ])('%s', async (_title, refuseMerged, requests) => {
    const subgraph = await fakeSubgraph(refuseMerged);
    const source = dataSource('suppliers', subgraph.url);
    try {
      const context: GatewayContext = { identity: ANONYMOUS };
      const [a, b] = await Promise.all([source.process(read(context, '411423')), source.process(read(context, '341321'))]);
      expect(a.data).toEqual({ region: { code: '411423' } });
      expect(b.data).toEqual({ region: { code: '341321' } });
      expect(subgraph.seen).toHaveLength(requests);
    } finally {
      source.close();
      await new Promise((resolve) => subgraph.server.close(resolve));
    }
  });

  it('never merges reads of different requests', async () => {
    const subgraph = await fakeSubgraph(false);
    const source = dataSource('suppliers', subgraph.url);
    try {
      const [a, b] = await Promise.all([source.process(read({ identity: ANONYMOUS }, '411423')), source.process(read({ identity: ANONYMOUS }, '341321'))]);
      expect([a.data, b.data]).toEqual([{ region: { code: '411423' } }, { region: { code: '341321' } }]);
      expect(subgraph.seen.map((request) => request.query.includes('_b0_'))).toEqual([false, false]);
    } finally {
      source.close();
      await new Promise((resolve) => subgraph.server.close(resolve));
    }
  });

  it('gives a mutation its own, longer timeout than a read (a mutation cut short may still be applied)', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end(JSON.stringify({ data: { answered: true } })), 400));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const source = dataSource('products', url, { timeoutMs: 100, mutationTimeoutMs: 5000, retries: 0 });
    const context: GatewayContext = { identity: ANONYMOUS };
    const send = (query: string) =>
      source.process({
        kind: 'incoming operation',
        request: { query },
        context,
        incomingRequestContext: { overallCachePolicy: undefined },
      } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
    try {
      await expect(send('query Slow { answered }')).rejects.toThrow(/in time|within/);
      await expect(send('mutation Slow { answered }')).resolves.toMatchObject({ data: { answered: true } });
    } finally {
      source.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
