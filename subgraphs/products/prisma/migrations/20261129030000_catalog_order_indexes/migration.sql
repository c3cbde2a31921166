-- Keyset pagination in each catalog order (see catalogQueries.ts): ties are
-- broken by id ascending, so every index ends with id.

-- CreateIndex
CREATE INDEX "product_name_id_idx" ON "product"("name", "id");

-- CreateIndex
CREATE INDEX "product_total_monthly_sales_id_idx" ON "product"("total_monthly_sales" DESC, "id");

-- CreateIndex
CREATE INDEX "product_updated_at_id_idx" ON "product"("updated_at" DESC, "id");

-- The price orders sort on the lowest price, products without listings last.
CREATE INDEX "product_price_asc_id_idx" ON "product"((COALESCE("min_price", 9999999999.99)), "id");
CREATE INDEX "product_price_desc_id_idx" ON "product"((COALESCE("min_price", -1)) DESC, "id");
