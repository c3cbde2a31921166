// The fixed data every gateway-bound subgraph answers from (each reads only
// its own part), the one operation the workload sends, and its expected data
// computed from the same records, independently of any gateway.
//
// Sizes: 10 users with 3 reviews each, 10 products with 3 reviews each. The
// operation walks users → reviews → product → reviews → author → reviews →
// product, so the same few users and products come back hundreds of times
// and the answer is about 75 KiB: what a gateway spends on planning, entity
// batching and merging is most of the work, the subgraphs' lookups almost none.

export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
}

export interface Review {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

const USERS = 10;
const PRODUCTS = 10;
const REVIEWS_PER_USER = 3;

export const users: User[] = Array.from({ length: USERS }, (_, index) => ({
  id: `user-${index + 1}`,
  name: `User Number ${index + 1}`,
  username: `user${index + 1}`,
  birthday: 1_000_000_000 + index * 86_400,
}));

export const products: Product[] = Array.from({ length: PRODUCTS }, (_, index) => ({
  upc: `upc-${String(index + 1).padStart(4, '0')}`,
  name: `Product ${index + 1}`,
  price: 100 + index * 150,
  weight: 10 + index * 7,
  inStock: index % 3 !== 0,
}));

// Review j of user i is about product (i * 3 + j) mod 10: every product gets three.
export const reviews: Review[] = users.flatMap((user, userIndex) =>
  Array.from({ length: REVIEWS_PER_USER }, (_, reviewIndex) => {
    const number = userIndex * REVIEWS_PER_USER + reviewIndex + 1;
    return {
      id: `review-${number}`,
      body: `Review ${number} by ${user.username}: as described.`,
      authorId: user.id,
      productUpc: products[(userIndex * REVIEWS_PER_USER + reviewIndex) % PRODUCTS]!.upc,
    };
  }),
);

export const userById = new Map(users.map((user) => [user.id, user]));
export const productByUpc = new Map(products.map((product) => [product.upc, product]));
export const reviewById = new Map(reviews.map((review) => [review.id, review]));
export const reviewsByAuthor = groupBy(reviews, (review) => review.authorId);
export const reviewsByProduct = groupBy(reviews, (review) => review.productUpc);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** The inventory subgraph's rule: free over 1000, else half the weight. */
export function shippingEstimate(price: number, weight: number): number {
  return price > 1000 ? 0 : Math.round(weight / 2);
}

// topProducts(first:) of the operation: half the products, so some come back only through reviews.
export const TOP_PRODUCTS = 5;

export const GATEWAY_BOUND_QUERY = /* GraphQL */ `
  query GatewayBound($first: Int!) {
    users {
      ...UserFields
      reviews {
        ...ReviewFields
        product {
          ...ProductWithReviews
        }
      }
    }
    topProducts(first: $first) {
      ...ProductWithReviews
    }
  }

  fragment ProductWithReviews on Product {
    ...ProductFields
    reviews {
      ...ReviewFields
      author {
        ...UserFields
        reviews {
          ...ReviewFields
          product {
            ...ProductFields
          }
        }
      }
    }
  }

  fragment UserFields on User {
    id
    username
    name
  }

  fragment ReviewFields on Review {
    id
    body
  }

  fragment ProductFields on Product {
    upc
    name
    price
    weight
    inStock
    shippingEstimate
  }
`;

// The expected data, field by field in the order the operation selects them
// (so a correct answer usually matches byte for byte).
const userFields = (user: User) => ({ id: user.id, username: user.username, name: user.name });
const reviewFields = (review: Review) => ({ id: review.id, body: review.body });
const productFields = (product: Product) => ({
  upc: product.upc,
  name: product.name,
  price: product.price,
  weight: product.weight,
  inStock: product.inStock,
  shippingEstimate: shippingEstimate(product.price, product.weight),
});
const productOf = (review: Review) => productByUpc.get(review.productUpc)!;
const authorWithReviews = (user: User) => ({
  ...userFields(user),
  reviews: reviewsByAuthor.get(user.id)!.map((review) => ({ ...reviewFields(review), product: productFields(productOf(review)) })),
});
const productWithReviews = (product: Product) => ({
  ...productFields(product),
  reviews: reviewsByProduct.get(product.upc)!.map((review) => ({ ...reviewFields(review), author: authorWithReviews(userById.get(review.authorId)!) })),
});

export function expectedGatewayBoundData(first: number): unknown {
  return {
    users: users.map((user) => ({
      ...userFields(user),
      reviews: reviewsByAuthor.get(user.id)!.map((review) => ({ ...reviewFields(review), product: productWithReviews(productOf(review)) })),
    })),
    topProducts: products.slice(0, first).map(productWithReviews),
  };
}
