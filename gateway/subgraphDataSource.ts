import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../common/errors';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../common/identity';

export interface GatewayContext {
  identity: Identity;
  /** The identity header for this request, signed once and reused for every subgraph fetch. */
  signedIdentity?: string;
}

/** Forwards the verified caller to subgraphs as a short-lived header signed with the shared subgraph secret. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly name: string,
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  /**
   * A subgraph that cannot be reached (refused, reset, timed out) fails with
   * Apollo's DOWNSTREAM_SERVICE_ERROR shape naming the subgraph; the
   * underlying message, which holds its internal URL, stays in the log.
   */
  override didEncounterError(error: Error): never {
    if (error instanceof GraphQLError) throw error;
    throw new GraphQLError(`The ${this.name} subgraph could not be reached.`, {
      originalError: error,
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: this.name },
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and other gateway-internal fetches carry no request context.
    if (!('identity' in context) || !context.identity) return;
    const gatewayContext = context as GatewayContext;
    gatewayContext.signedIdentity ??= signIdentity(gatewayContext.identity, this.secret);
    request.http?.headers.set(IDENTITY_HEADER, gatewayContext.signedIdentity);
  }

  /**
   * A subgraph answers 400 when a variable fails its scalar's parsing (a
   * Decimal with three decimals, a malformed DateTime): the gateway passed it
   * on because it cannot know those rules. That is the client's mistake, so
   * its BAD_USER_INPUT message reaches the client instead of a bare
   * "400: Bad Request".
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    if (response.status === 400) {
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
      const first = body?.errors?.[0];
      if (first?.extensions?.code === ErrorCode.BAD_USER_INPUT && typeof first.message === 'string') {
        return new GraphQLError(first.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
    }
    return super.errorFromResponse(response);
  }
}
