-- The products holding a valid certificate, as the certification subgraph
-- last reported them, and the version of its changes this copy includes.
-- certifiedProducts.ts brings it up to date before every certifiedOnly query,
-- so the filter is exact at the moment of the query (README, "The
-- certifiedOnly filter across subgraphs").
CREATE TABLE "certified_product" (
    "product_id" TEXT NOT NULL,
    "valid_until" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "certified_product_pkey" PRIMARY KEY ("product_id")
);

-- CreateIndex
CREATE INDEX "certified_product_valid_until_idx" ON "certified_product"("valid_until");

CREATE TABLE "certified_product_sync" (
    "id" INTEGER NOT NULL,
    "version" BIGINT NOT NULL,
    CONSTRAINT "certified_product_sync_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "certified_product_sync_one_row" CHECK ("id" = 1)
);
-- -1: never brought up to date; the first update copies the whole set.
INSERT INTO "certified_product_sync" ("id", "version") VALUES (1, -1);
