import { capCacheAge } from '../../../common/cachePolicy';
import { pageRequest } from '../../../common/connection';
import { badUserInput } from '../../../common/errors';
import { requireRole } from '../../../common/identity';
import { catalogConditions, catalogConnectionPage, findCatalogPageIds } from '../catalog/catalogQueries';
import type { Product } from '../generated/prisma/client';
import type { QueryResolvers } from '../generated/graphql';
import { findMatchSuggestions, MATCH_SUGGESTION_ORDER } from '../matching/matchSuggestions';

const MAX_IDS = 500;

function secondsUntil(moment: Date): number {
  return Math.max(0, Math.floor((moment.getTime() - Date.now()) / 1000));
}

export const Query: QueryResolvers = {
  products: async (_parent, args, context) => {
    const { db, loaders, certifiedProducts } = context;
    const order = args.orderBy ?? 'NAME';
    const page = pageRequest(args, order);
    let certifiedAt: Date | null = null;
    if (args.filter?.certifiedOnly) {
      const { changesAt } = await certifiedProducts.bringUpToDate(db);
      certifiedAt = new Date();
      // A cached page must not outlive the first certificate in it that lapses.
      if (changesAt) capCacheAge(context, secondsUntil(changesAt));
    }
    const { rows, count } = await findCatalogPageIds(db, args.filter, catalogConditions(args.filter, certifiedAt), certifiedAt, order, page);
    const products = await loaders.productById.loadMany(rows.map((row) => row.id));
    const loaded = products.map((product) => {
      if (product instanceof Error) throw product;
      return product;
    });
    return { ...catalogConnectionPage(page, order, rows, loaded), totalCount: count };
  },
  product: (_parent, { id }, { loaders }) => loaders.productById.load(id),
  productByGtin: (_parent, { gtin }, { loaders }) => loaders.productByGtin.load(gtin.trim()),
  productsByIds: async (_parent, { ids }, { loaders }) => {
    if (ids.length > MAX_IDS) throw badUserInput('ids', `at most ${MAX_IDS} ids, got ${ids.length}`);
    const products = await loaders.productById.loadMany(ids);
    return products.map((product): Product | null => {
      if (product instanceof Error) throw product;
      return product;
    });
  },
  platforms: (_parent, _args, { db }) => db.platform.findMany({ orderBy: { code: 'asc' } }),
  matchSuggestions: (_parent, args, { identity, db }) => {
    requireRole(identity, ['certifier'], 'matchSuggestions');
    return findMatchSuggestions(db, pageRequest(args, MATCH_SUGGESTION_ORDER));
  },
};
