// The limit: one plain Apollo Server (no federation, no query planner, no HTTP
// hop) serving the operations the benchmark sends straight from the same
// three databases, with the subgraphs' own data-access functions and
// per-request DataLoaders. Its schema is the public API schema of the
// composed supergraph, so it validates the same operations the gateways do.
//
//   PORT=4200 PRODUCTS_DATABASE_URL=... SUPPLIERS_DATABASE_URL=... CERTIFICATION_DATABASE_URL=... tsx bench/monolith.ts
//
// GET /counters answers the SQL statements sent so far (the benchmark reads
// it like the subgraphs' counters).
import { createServer } from 'node:http';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, parse, printSchema } from 'graphql';
import { pageFromRows, pageRequest } from '../common/connection';
import { forbidden } from '../common/errors';
import { DateTimeScalar, DecimalScalar } from '../common/scalars';
import { regionCodePrefix } from '../common/textInput';
import { SUBGRAPH_NAMES } from '../common/topology';
import { readSubgraphSdl } from '../gateway/supergraph';
import { createCertificationLoaders, type CertificationLoaders } from '../subgraphs/certification/certificationLoaders';
import { findCertifiedProductChanges } from '../subgraphs/certification/certificationQueries';
import { certifiedProductsOver } from '../subgraphs/products/catalog/certifiedProducts';
import { currentCertification, effectiveStatus, isValidCertificate } from '../subgraphs/certification/certificationStatus';
import { decideEligibility } from '../subgraphs/certification/eligibility';
import type { Certification } from '../subgraphs/certification/generated/prisma/client';
import { openCertificationStore, type CertificationDb } from '../subgraphs/certification/store';
import { catalogConditions, catalogConnectionPage, findCatalogPageIds, SUPPLIER_PRODUCTS_ORDER } from '../subgraphs/products/catalog/catalogQueries';
import type { ProductFilter, ProductOrder } from '../subgraphs/products/generated/graphql';
import type { Listing, Product } from '../subgraphs/products/generated/prisma/client';
import { createProductLoaders, type ProductLoaders } from '../subgraphs/products/catalog/productLoaders';
import { openProductsStore, type ProductsDb } from '../subgraphs/products/store';
import type { Region, Supplier } from '../subgraphs/suppliers/generated/prisma/client';
import { openSuppliersStore, type SuppliersDb } from '../subgraphs/suppliers/store';
import { createSupplierLoaders, type SupplierLoaders } from '../subgraphs/suppliers/supplierLoaders';
import { findSuppliersPage, SUPPLIER_ORDER } from '../subgraphs/suppliers/supplierQueries';

interface MonolithContext {
  products: ProductLoaders;
  suppliers: SupplierLoaders;
  certification: CertificationLoaders;
  productsDb: ProductsDb;
  suppliersDb: SuppliersDb;
  certificationDb: CertificationDb;
  /** One clock per request, as the certification subgraph keeps it. */
  now: Date;
}

type Args = Record<string, unknown>;

/** The public API schema of the supergraph, as SDL. */
function apiSchemaSdl(): string {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readSubgraphSdl(name)) })));
  if (result.errors) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return printSchema(result.schema.toAPISchema().toGraphQLJSSchema());
}

async function supplierOf(product: Product, context: MonolithContext): Promise<Supplier> {
  const supplier = await context.suppliers.supplierById.load(product.supplierId);
  if (!supplier) throw new GraphQLError(`product ${product.id} has unknown supplier ${product.supplierId}`);
  return supplier;
}

async function regionOf(code: string, context: MonolithContext): Promise<Region> {
  const region = await context.suppliers.regionByCode.load(code);
  if (!region) throw new GraphQLError(`unknown region ${code}`);
  return region;
}

const resolvers = {
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Query: {
    products: async (_parent: unknown, args: Args, context: MonolithContext) => {
      const order = (args.orderBy as ProductOrder | undefined) ?? 'NAME';
      const page = pageRequest(args as { first: number; after?: string | null }, order);
      const filter = args.filter as ProductFilter | null | undefined;
      // The copy of the certified set is brought up to date from the certification database directly: no internal request.
      let certified: Date | null = null;
      if (filter?.certifiedOnly) {
        await certifiedProductsOver(async (since) => {
          const answer = await findCertifiedProductChanges(context.certificationDb, since, context.now);
          return {
            version: answer.version,
            changes: answer.changes.map((change) => ({ productId: change.productId, validUntil: change.validUntil?.toISOString() ?? null })),
            changesAt: answer.changesAt?.toISOString() ?? null,
          };
        }).bringUpToDate(context.productsDb);
        certified = new Date();
      }
      const { rows, count } = await findCatalogPageIds(context.productsDb, filter, catalogConditions(filter, certified), certified, order, page);
      const products = await context.products.productById.loadMany(rows.map((row) => row.id));
      const loaded = products.map((product) => {
        if (product instanceof Error) throw product;
        return product;
      });
      return { ...catalogConnectionPage(page, order, rows, loaded), totalCount: count };
    },
    product: (_parent: unknown, args: Args, context: MonolithContext) => context.products.productById.load(String(args.id)),
    productByGtin: (_parent: unknown, args: Args, context: MonolithContext) => context.products.productByGtin.load(String(args.gtin).trim()),
    platforms: (_parent: unknown, _args: Args, context: MonolithContext) => context.productsDb.platform.findMany({ orderBy: { code: 'asc' } }),
    supplier: (_parent: unknown, args: Args, context: MonolithContext) => context.suppliers.supplierById.load(String(args.id)),
    suppliers: (_parent: unknown, args: Args, context: MonolithContext) =>
      findSuppliersPage(
        context.suppliersDb,
        regionCodePrefix(args.regionCode as string | null | undefined, 'regionCode'),
        pageRequest(args as { first: number; after?: string | null }, SUPPLIER_ORDER),
      ),
    region: (_parent: unknown, args: Args, context: MonolithContext) =>
      /^\d{6}$/.test(String(args.code)) ? context.suppliers.regionByCode.load(String(args.code)) : null,
  },
  ProductConnection: {
    totalCount: (connection: { totalCount: number | (() => Promise<number>) }) =>
      typeof connection.totalCount === 'function' ? connection.totalCount() : connection.totalCount,
  },
  SupplierConnection: {
    totalCount: (connection: { totalCount: () => Promise<number> }) => connection.totalCount(),
  },
  Product: {
    origin: (product: Product, _args: Args, context: MonolithContext) => regionOf(product.originRegionCode, context),
    supplier: (product: Product, _args: Args, context: MonolithContext) => supplierOf(product, context),
    listings: (product: Product, _args: Args, context: MonolithContext) => context.products.listingsByProductId.load(product.id),
    priceRange: (product: Product) =>
      product.minPrice && product.maxPrice && product.priceCurrency
        ? { min: { amount: product.minPrice, currency: product.priceCurrency }, max: { amount: product.maxPrice, currency: product.priceCurrency } }
        : null,
    reliefCertified: async (product: Product, _args: Args, context: MonolithContext) =>
      (await context.certification.certificationsByProductId.load(product.id)).some((certification) => isValidCertificate(certification, context.now)),
    // Anonymous callers only: the public certification.
    certification: async (product: Product, _args: Args, context: MonolithContext) =>
      currentCertification(await context.certification.certificationsByProductId.load(product.id), false),
    reliefEligibility: async (product: Product, _args: Args, context: MonolithContext) => {
      const supplier = await supplierOf(product, context);
      const region = await regionOf(supplier.regionCode, context);
      return decideEligibility({
        regionCode: region.code,
        designatedPovertyCounty: region.designatedPovertyCounty,
        beneficiaryHouseholds: supplier.beneficiaryHouseholds,
      });
    },
  },
  Listing: {
    platform: async (listing: Listing, _args: Args, context: MonolithContext) => {
      const platform = await context.products.platformByCode.load(listing.platformCode);
      if (!platform) throw new GraphQLError(`listing ${listing.id} has unknown platform ${listing.platformCode}`);
      return platform;
    },
    price: (listing: Listing) => ({ amount: listing.price, currency: listing.currency }),
    product: (listing: Listing, _args: Args, context: MonolithContext) => context.products.productById.load(listing.productId),
  },
  Supplier: {
    region: (supplier: Supplier, _args: Args, context: MonolithContext) => regionOf(supplier.regionCode, context),
    products: async (supplier: Supplier, args: Args, context: MonolithContext) => {
      const page = pageRequest(args as { first: number; after?: string | null }, SUPPLIER_PRODUCTS_ORDER);
      const rows = await context.products.supplierProductPage.load({ supplierId: supplier.id, first: page.first, after: page.after });
      return {
        ...pageFromRows(
          rows,
          page,
          (product) => ({ order: SUPPLIER_PRODUCTS_ORDER, key: product.name, id: product.id }),
          (product) => product,
        ),
        totalCount: () => context.products.supplierProductCount.load(supplier.id),
      };
    },
  },
  Certification: {
    status: (certification: Certification, _args: Args, context: MonolithContext) => effectiveStatus(certification, context.now),
    product: (certification: Certification, _args: Args, context: MonolithContext) => context.products.productById.load(certification.productId),
    // Staff-only fields: the benchmark is anonymous, and the monolith must not leak them.
    evidence: () => {
      throw forbidden('Certification.evidence needs the role certifier.');
    },
    history: () => {
      throw forbidden('Certification.history needs the role certifier.');
    },
  },
};

async function main(): Promise<void> {
  const url = (name: string) => {
    const value = process.env[`${name.toUpperCase()}_DATABASE_URL`];
    if (!value) throw new Error(`${name.toUpperCase()}_DATABASE_URL is required`);
    return value;
  };
  const [products, suppliers, certification] = await Promise.all([
    openProductsStore({ kind: 'postgres', url: url('products') }),
    openSuppliersStore({ kind: 'postgres', url: url('suppliers') }),
    openCertificationStore({ kind: 'postgres', url: url('certification') }),
  ]);
  const apollo = new ApolloServer<MonolithContext>({ typeDefs: apiSchemaSdl(), resolvers });
  await apollo.start();
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/counters', (_req, res) => {
    res.json({ requests: 0, peerRequests: 0, statements: products.statements.value + suppliers.statements.value + certification.statements.value });
  });
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async (): Promise<MonolithContext> => ({
        products: createProductLoaders(products.client),
        suppliers: createSupplierLoaders(suppliers.client),
        certification: createCertificationLoaders(certification.client),
        productsDb: products.client,
        suppliersDb: suppliers.client,
        certificationDb: certification.client,
        now: new Date(),
      }),
    }),
  );
  const http = createServer(app);
  http.keepAliveTimeout = 65_000;
  const port = Number(process.env.PORT ?? 4200);
  const host = process.env.HOST ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  console.log(JSON.stringify({ level: 'info', service: 'monolith', msg: 'listening', url: `http://${host}:${port}/graphql` }));
  const stop = () => {
    http.close();
    http.closeAllConnections();
    Promise.all([apollo.stop(), products.close(), suppliers.close(), certification.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
