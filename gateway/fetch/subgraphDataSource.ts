import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GatewayContext } from '../requestContext';
import { compose, isRead, type CallLayer, type PostLayer, type SubgraphInfo, type Transport } from './layers';
import { answerReader, withPath } from './subgraphAnswer';

export interface SubgraphLayers {
  /** Around the GraphQL request, outermost first. */
  call: readonly CallLayer[];
  /** Around the HTTP POST, outermost first. */
  post: readonly PostLayer[];
  /** The bottom: sends the POST. */
  transport: Transport;
}

/**
 * The gateway's client of one subgraph, as Apollo's gateway calls it: the
 * call layers, the answer read as a GraphQL response (subgraphAnswer.ts),
 * the post layers and the transport, composed once. A failed fetch's error
 * names the path it stands for.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly run: (options: GraphQLDataSourceProcessOptions<GatewayContext>) => Promise<GatewayGraphQLResponse>;
  private readonly transport: Transport;

  constructor(
    readonly subgraph: SubgraphInfo,
    layers: SubgraphLayers,
  ) {
    this.transport = layers.transport;
    const post = compose(layers.post, (request) => layers.transport.send(request));
    const call = compose(layers.call, answerReader(subgraph, post));
    this.run = (options) => call({ options, read: isRead(options.request.query), headers: {} });
  }

  /** Closes the idle keep-alive connections (when the gateway stops). */
  close(): void {
    this.transport.close();
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await this.run(options);
    } catch (error) {
      throw withPath(error, options);
    }
  }
}
