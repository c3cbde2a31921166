-- Staff decisions: a merged product's id keeps answering with the product it
-- was merged into.

-- CreateTable
CREATE TABLE "product_alias" (
    "id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_alias_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "product_alias_product_id_idx" ON "product_alias"("product_id");

-- Suppliers merged by staff in the suppliers subgraph: listings that still
-- name the merged one (a cached resolution, an old spelling) take the survivor.
-- CreateTable
CREATE TABLE "merged_supplier" (
    "id" TEXT NOT NULL,
    "into_id" TEXT NOT NULL,

    CONSTRAINT "merged_supplier_pkey" PRIMARY KEY ("id")
);
