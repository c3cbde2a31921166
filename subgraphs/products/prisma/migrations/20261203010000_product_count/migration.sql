-- How many products there are per category and origin county, kept by
-- statement triggers in the same transaction as every product write, so
-- totalCount of the catalog, of a category and of a region prefix is exact
-- and costs a sum over at most categories × counties rows, not a count of a
-- million products.
CREATE TABLE "product_count" (
    "category" "ProductCategory" NOT NULL,
    "region_code" CHAR(6) NOT NULL,
    "products" INTEGER NOT NULL,
    CONSTRAINT "product_count_pkey" PRIMARY KEY ("category", "region_code")
);

INSERT INTO "product_count" ("category", "region_code", "products")
SELECT "category", "origin_region_code", count(*)::int FROM "product" GROUP BY 1, 2;

-- Net change per (category, county) of one statement, in key order so that
-- concurrent writers lock the counter rows in the same order. Each branch
-- reads only the transition tables its event has.
CREATE FUNCTION "product_count_follow"() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO "product_count" AS c ("category", "region_code", "products")
        SELECT "category", "origin_region_code", count(*)::int FROM "new_rows" GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT ("category", "region_code") DO UPDATE SET "products" = c."products" + EXCLUDED."products";
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO "product_count" AS c ("category", "region_code", "products")
        SELECT "category", "origin_region_code", -count(*)::int FROM "old_rows" GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT ("category", "region_code") DO UPDATE SET "products" = c."products" + EXCLUDED."products";
    ELSE
        INSERT INTO "product_count" AS c ("category", "region_code", "products")
        SELECT "category", "region_code", sum("change")::int
        FROM (
            SELECT "category", "origin_region_code" AS "region_code", 1 AS "change" FROM "new_rows"
            UNION ALL
            SELECT "category", "origin_region_code", -1 FROM "old_rows"
        ) AS moved
        GROUP BY 1, 2 HAVING sum("change") <> 0 ORDER BY 1, 2
        ON CONFLICT ("category", "region_code") DO UPDATE SET "products" = c."products" + EXCLUDED."products";
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "product_count_insert" AFTER INSERT ON "product"
    REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "product_count_follow"();
CREATE TRIGGER "product_count_delete" AFTER DELETE ON "product"
    REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "product_count_follow"();
CREATE TRIGGER "product_count_update" AFTER UPDATE ON "product"
    REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "product_count_follow"();
