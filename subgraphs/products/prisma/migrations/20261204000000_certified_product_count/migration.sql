-- totalCount of certifiedOnly (alone, or with a category or region prefix)
-- without a join over a million products: each row of the certified copy
-- carries its product's category and origin county, and one index holds
-- (valid_until, category, region_code), so the count is an index-only scan
-- over the certified rows (about 160,000 at a million products).
-- NULL category: the product is not (or no longer) in this catalog.
ALTER TABLE "certified_product" ADD COLUMN "category" "ProductCategory", ADD COLUMN "region_code" CHAR(6);

UPDATE "certified_product" AS c SET "category" = p."category", "region_code" = p."origin_region_code"
FROM "product" AS p WHERE p."id" = c."product_id";

DROP INDEX "certified_product_valid_until_idx";
CREATE INDEX "certified_product_valid_until_category_region_code_idx" ON "certified_product"("valid_until", "category", "region_code");

-- The copy follows its products in the same transaction as every product
-- write that could change what it holds: a new category or county (a row
-- trigger, only on updates that set those columns and change them), a
-- deleted product, a product arriving after its certificate. The writes of an
-- import (prices, listing counts) do not fire it.
--
-- Such a change takes the advisory lock below, shared; bringing the copy up
-- to date takes it exclusively before it reads the products
-- (certifiedProducts.ts). So either the product change commits first and the
-- copy reads it, or it waits for the copy and then updates the rows the copy
-- wrote. No product row is locked: the whole set is 160,000 rows.
CREATE FUNCTION "certified_product_follow_change"() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(hashtext('certified_product'));
    UPDATE "certified_product" SET "category" = NEW."category", "region_code" = NEW."origin_region_code"
    WHERE "product_id" = NEW."id";
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "certified_product_follow_update" AFTER UPDATE OF "category", "origin_region_code" ON "product"
    FOR EACH ROW WHEN (OLD."category" IS DISTINCT FROM NEW."category" OR OLD."origin_region_code" IS DISTINCT FROM NEW."origin_region_code")
    EXECUTE FUNCTION "certified_product_follow_change"();

-- Statement triggers join the transition table with certified_product on its
-- primary key, never a transition table with another.
CREATE FUNCTION "certified_product_follow_rows"() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_advisory_xact_lock_shared(hashtext('certified_product'));
        UPDATE "certified_product" AS c SET "category" = NULL, "region_code" = NULL
        FROM "old_rows" AS o
        WHERE c."product_id" = o."id" AND c."category" IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "product" AS p WHERE p."id" = o."id");
    ELSE
        UPDATE "certified_product" AS c SET "category" = n."category", "region_code" = n."origin_region_code"
        FROM "new_rows" AS n
        WHERE c."product_id" = n."id"
          AND (c."category" IS DISTINCT FROM n."category" OR c."region_code" IS DISTINCT FROM n."origin_region_code");
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "certified_product_follow_insert" AFTER INSERT ON "product"
    REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "certified_product_follow_rows"();
CREATE TRIGGER "certified_product_follow_delete" AFTER DELETE ON "product"
    REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "certified_product_follow_rows"();
