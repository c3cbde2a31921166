-- CreateEnum
CREATE TYPE "ProductCategory" AS ENUM ('FRUIT', 'VEGETABLE', 'GRAIN', 'TEA', 'MEAT_POULTRY', 'AQUATIC', 'PROCESSED_FOOD', 'HANDICRAFT', 'OTHER');

-- CreateTable
CREATE TABLE "platform" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "platform_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "product" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "gtin" TEXT,
    "category" "ProductCategory" NOT NULL DEFAULT 'OTHER',
    "unit" TEXT,
    "origin_region_code" CHAR(6) NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "match_key" TEXT,
    "min_price" DECIMAL(12,2),
    "max_price" DECIMAL(12,2),
    "price_currency" TEXT,
    "total_monthly_sales" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "listing" (
    "id" TEXT NOT NULL,
    "platform_code" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "url" TEXT,
    "price" DECIMAL(12,2) NOT NULL,
    "currency" CHAR(3) NOT NULL DEFAULT 'CNY',
    "stock" INTEGER,
    "monthly_sales" INTEGER,
    "gtin" TEXT,
    "unit" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "listing_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "listing_price_non_negative" CHECK ("price" >= 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "product_gtin_key" ON "product"("gtin");

-- CreateIndex
CREATE INDEX "product_supplier_id_id_idx" ON "product"("supplier_id", "id");

-- CreateIndex
CREATE INDEX "product_origin_region_code_idx" ON "product"("origin_region_code");

-- CreateIndex
CREATE INDEX "product_match_key_idx" ON "product"("match_key");

-- CreateIndex
CREATE UNIQUE INDEX "listing_platform_code_external_id_key" ON "listing"("platform_code", "external_id");

-- CreateIndex
CREATE INDEX "listing_product_id_idx" ON "listing"("product_id");

-- AddForeignKey
ALTER TABLE "listing" ADD CONSTRAINT "listing_platform_code_fkey" FOREIGN KEY ("platform_code") REFERENCES "platform"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "listing" ADD CONSTRAINT "listing_product_id_fkey" FOREIGN KEY ("product_id") REFERENCES "product"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
