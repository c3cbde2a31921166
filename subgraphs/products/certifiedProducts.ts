import { SubgraphClient } from '../../common/subgraphClient';

/** Asks the certification subgraph which products hold a valid certificate right now. */
export interface CertifiedProducts {
  ids(): Promise<string[]>;
}

const CERTIFIED_PRODUCT_IDS = /* GraphQL */ `
  query CertifiedProductIds {
    certifiedProductIds
  }
`;

/**
 * The catalog's certifiedOnly filter needs a fact the certification subgraph
 * owns. Asking it at query time (one request, ids only) keeps the answer
 * exact at the moment of the query: an approval, revocation or expiry shows on
 * the very next request, with no copy of certification data to keep in sync.
 */
export function certifiedProductsFrom(client: SubgraphClient): CertifiedProducts {
  return {
    ids: async () => (await client.request<{ certifiedProductIds: string[] }>(CERTIFIED_PRODUCT_IDS)).certifiedProductIds,
  };
}
