import type { SubgraphClient } from '../../common/subgraphClient';

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

const CERTIFICATION_STATES = /* GraphQL */ `
  query CertificationStates($productIds: [ID!]!) {
    certificationStates(productIds: $productIds) { productId open }
  }
`;

/**
 * The products among `productIds` that have a certification, open or in
 * their history, and whether it is open. When the certification subgraph
 * cannot answer, every product counts as certified: the matching engine then
 * only adds listings and records suggestions, which is always safe.
 */
export async function certificationStates(client: SubgraphClient, productIds: readonly string[]): Promise<Map<string, { open: boolean }>> {
  const states = new Map<string, { open: boolean }>();
  for (let start = 0; start < productIds.length; start += 1000) {
    const ids = productIds.slice(start, start + 1000);
    try {
      const { certificationStates: answer } = await client.request<{ certificationStates: { productId: string; open: boolean }[] }>(CERTIFICATION_STATES, { productIds: ids });
      for (const state of answer) states.set(state.productId, { open: state.open });
    } catch {
      for (const id of ids) states.set(id, { open: true });
    }
  }
  return states;
}
