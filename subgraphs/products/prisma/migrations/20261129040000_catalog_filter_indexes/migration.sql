-- Counting and paging a filtered catalog without reading every row: the
-- platform filter (products with a listing on a platform) reads only this
-- index, and the category filter counts from its own.

-- CreateIndex
CREATE INDEX "listing_platform_code_product_id_idx" ON "listing"("platform_code", "product_id");

-- CreateIndex
CREATE INDEX "product_category_id_idx" ON "product"("category", "id");
