-- Catalog unification: each listing carries what the matching engine needs
-- on its own (its supplier, its block, its GTIN-14), staff decisions are
-- kept, and suggestions wait for review.

-- AlterTable
ALTER TABLE "product" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "pinned" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "listing" ADD COLUMN     "supplier_id" TEXT,
ADD COLUMN     "match_key" TEXT,
ADD COLUMN     "gtin_key" TEXT;

-- CreateTable
CREATE TABLE "match_suggestion" (
    "id" TEXT NOT NULL,
    "left_listing_id" TEXT NOT NULL,
    "right_listing_id" TEXT NOT NULL,
    "score" DECIMAL(4,2) NOT NULL,
    "evidence" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "match_suggestion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kept_apart" (
    "product_a" TEXT NOT NULL,
    "product_b" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kept_apart_pkey" PRIMARY KEY ("product_a","product_b")
);

-- CreateTable
CREATE TABLE "product_event" (
    "id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "detail" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "product_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "listing_match_key_idx" ON "listing"("match_key");

-- CreateIndex
CREATE INDEX "listing_gtin_key_idx" ON "listing"("gtin_key");

-- CreateIndex
CREATE UNIQUE INDEX "match_suggestion_left_listing_id_right_listing_id_key" ON "match_suggestion"("left_listing_id", "right_listing_id");

-- CreateIndex
CREATE INDEX "match_suggestion_score_id_idx" ON "match_suggestion"("score" DESC, "id");

-- CreateIndex
CREATE INDEX "product_event_product_id_at_idx" ON "product_event"("product_id", "at");

-- Listings written before this migration take their product's supplier and
-- block, and their own GTIN as GTIN-14.
UPDATE "listing" l
SET "supplier_id" = p."supplier_id",
    "match_key" = p."match_key",
    "gtin_key" = CASE WHEN l."gtin" IS NULL THEN NULL ELSE lpad(regexp_replace(l."gtin", '[^0-9]', '', 'g'), 14, '0') END
FROM "product" p
WHERE p."id" = l."product_id";
