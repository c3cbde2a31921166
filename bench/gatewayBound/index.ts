// One gateway-bound subgraph as a process: Apollo Server over its schema on
// 127.0.0.1:PORT, POST /graphql, and GET /counters with the GraphQL requests
// it served (the same counters shape as bench/subgraphEntry.ts, no SQL).
//
//   PORT=5301 tsx bench/gatewayBound/index.ts accounts|inventory|products|reviews
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { runServerProcess } from '../../common/serverProcess';
import type { SubgraphCounters } from '../subgraphEntry';
import { GATEWAY_BOUND_SUBGRAPHS, gatewayBoundSchema, type GatewayBoundSubgraph } from './subgraphs';

const name = process.argv[2] as GatewayBoundSubgraph;
const port = Number(process.env.PORT);
if (!GATEWAY_BOUND_SUBGRAPHS.includes(name) || !Number.isInteger(port) || port <= 0) {
  console.error(`usage: PORT=<port> tsx bench/gatewayBound/index.ts ${GATEWAY_BOUND_SUBGRAPHS.join('|')}`);
  process.exit(2);
}

runServerProcess({ subgraph: name }, async () => {
  const counters: SubgraphCounters = { requests: 0, peerRequests: 0, statements: 0 };
  const server = new ApolloServer({
    schema: gatewayBoundSchema(name),
    plugins: [
      // No gateway here reports usage to Apollo, so none asks for traces.
      ApolloServerPluginInlineTraceDisabled(),
      {
        requestDidStart: async () => {
          counters.requests += 1;
        },
      },
    ],
  });
  await server.start();
  const app = express();
  app.get('/counters', (_req, res) => {
    res.json(counters);
  });
  // Entity batches of a few hundred representations are well under this.
  app.use('/graphql', express.json({ limit: '4mb' }), expressMiddleware(server));
  const listener = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const started = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(started)));
  });
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    describe: { counters: `http://127.0.0.1:${port}/counters` },
    close: async () => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await server.stop();
    },
  };
});
