// The gateway-bound subgraphs: each one's SDL (beside this file) and
// resolvers over the fixed records of data.ts, built into a schema with no
// side effects (index.ts serves one). Every lookup is a Map read: a subgraph
// request costs its HTTP and GraphQL handling, next to nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type GraphQLSchema } from 'graphql';
import { productByUpc, products, reviewById, reviewsByAuthor, reviewsByProduct, shippingEstimate, userById, users, type Review } from './data';

export const GATEWAY_BOUND_SUBGRAPHS = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type GatewayBoundSubgraph = (typeof GATEWAY_BOUND_SUBGRAPHS)[number];

export function gatewayBoundSdl(name: GatewayBoundSubgraph): string {
  return readFileSync(join(__dirname, `${name}.graphql`), 'utf8');
}

const RESOLVERS: Record<GatewayBoundSubgraph, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => users[0],
      user: (_root, { id }: { id: string }) => userById.get(id) ?? null,
      users: () => users,
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => userById.get(id) ?? null,
    },
  },
  inventory: {
    Product: {
      // price and weight arrive with the reference (@requires).
      __resolveReference: (reference: { upc: string; price?: number; weight?: number }) => {
        const product = productByUpc.get(reference.upc);
        return product ? { ...reference, inStock: product.inStock } : null;
      },
      shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) =>
        price === undefined || weight === undefined ? null : shippingEstimate(price, weight),
    },
  },
  products: {
    Query: {
      topProducts: (_root, { first }: { first: number }) => products.slice(0, first),
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => productByUpc.get(upc) ?? null,
    },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviewById.get(id) ?? null,
      product: (review: Review) => ({ upc: review.productUpc }),
      author: (review: Review) => ({ id: review.authorId, username: userById.get(review.authorId)?.username }),
    },
    User: {
      reviews: ({ id }: { id: string }) => reviewsByAuthor.get(id) ?? [],
    },
    Product: {
      reviews: ({ upc }: { upc: string }) => reviewsByProduct.get(upc) ?? [],
    },
  },
};

export function gatewayBoundSchema(name: GatewayBoundSubgraph): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(gatewayBoundSdl(name)), resolvers: RESOLVERS[name] });
}
