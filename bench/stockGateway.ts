// Stock @apollo/gateway + @apollo/server with default settings: the baseline
// every figure of the benchmark is compared with. The only addition is the
// static identity header our subgraphs require (bench/benchIdentity.ts),
// added by a RemoteGraphQLDataSource as Apollo documents for auth headers.
//
//   PORT=4100 SUPERGRAPH_PATH=/tmp/supergraph.graphql BENCH_IDENTITY_HEADER=<jwt> tsx bench/stockGateway.ts
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { IDENTITY_HEADER } from '../common/identity';

async function main(): Promise<void> {
  const supergraphPath = process.env.SUPERGRAPH_PATH;
  const identityHeader = process.env.BENCH_IDENTITY_HEADER;
  if (!supergraphPath || !identityHeader) throw new Error('SUPERGRAPH_PATH and BENCH_IDENTITY_HEADER are required');
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          request.http?.headers.set(IDENTITY_HEADER, identityHeader);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.PORT ?? 4100), host: process.env.HOST ?? '127.0.0.1' },
  });
  console.log(JSON.stringify({ level: 'info', service: 'stock-gateway', msg: 'listening', url }));
  const stop = () => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
