import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../common/identity';

export interface GatewayContext {
  identity: Identity;
  /** The identity header for this request, signed once and reused for every subgraph fetch. */
  signedIdentity?: string;
}

/** Forwards the verified caller to subgraphs as a short-lived header signed with the shared subgraph secret. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and other gateway-internal fetches carry no request context.
    if (!('identity' in context) || !context.identity) return;
    const gatewayContext = context as GatewayContext;
    gatewayContext.signedIdentity ??= signIdentity(gatewayContext.identity, this.secret);
    request.http?.headers.set(IDENTITY_HEADER, gatewayContext.signedIdentity);
  }
}
