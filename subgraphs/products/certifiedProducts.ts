import { SubgraphClient } from '../../common/subgraphClient';

/** Asks the certification subgraph which products hold a valid certificate right now. */
export interface CertifiedProducts {
  /** The ids, and when the set next changes by itself (a certificate lapsing). */
  current(): Promise<{ productIds: string[]; changesAt: Date | null }>;
}

const CERTIFIED_PRODUCTS = /* GraphQL */ `
  query CertifiedProducts {
    certifiedProducts { productIds changesAt }
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
    current: async () => {
      const { certifiedProducts } = await client.request<{ certifiedProducts: { productIds: string[]; changesAt: string | null } }>(
        CERTIFIED_PRODUCTS,
      );
      return { productIds: certifiedProducts.productIds, changesAt: certifiedProducts.changesAt ? new Date(certifiedProducts.changesAt) : null };
    },
  };
}
