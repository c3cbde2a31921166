// A small Apollo server behind the playground router, for the playground's
// route tests and its browser tests.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { createPlaygroundRouter, type PlaygroundDocument } from '../../gateway/playground/playgroundRouter';

export const graphqlPath = '/graphql';
export const greeting = 'world from the test server';

export const documents: PlaygroundDocument[] = [
  { name: 'Hello', query: 'query Hello {\n  hello\n}\n' },
  { name: 'Typename', query: 'query Typename {\n  __typename\n}\n' },
];

export interface RunningServer {
  origin: string;
  close(): Promise<void>;
}

export async function startServer(distDir?: string): Promise<RunningServer> {
  const apollo = new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => greeting } },
  });
  await apollo.start();
  const app = express();
  app.use(createPlaygroundRouter({ graphqlPath, documents, ...(distDir === undefined ? {} : { distDir }) }));
  app.use(graphqlPath, express.json(), expressMiddleware(apollo));
  const server = http.createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await apollo.stop();
    },
  };
}

export async function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get(url, { headers }, resolve).on('error', reject);
  });
  response.setEncoding('utf8');
  let body = '';
  for await (const chunk of response) {
    body += chunk as string;
  }
  return { status: response.statusCode ?? 0, headers: response.headers, body };
}
