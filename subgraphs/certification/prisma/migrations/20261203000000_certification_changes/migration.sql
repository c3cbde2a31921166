-- Every write of a certification row takes the next value of one counter.
-- The counter's row stays locked until the writing transaction commits, so
-- versions become visible in commit order: a reader that sees version V sees
-- every change numbered up to V. The products subgraph keeps its copy of the
-- certified set in step by asking for the changes after the version it holds.
CREATE TABLE "certification_change_counter" (
    "id" INTEGER NOT NULL,
    "value" BIGINT NOT NULL,
    CONSTRAINT "certification_change_counter_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "certification_change_counter_one_row" CHECK ("id" = 1)
);
INSERT INTO "certification_change_counter" ("id", "value") VALUES (1, 0);

ALTER TABLE "certification" ADD COLUMN "change_version" BIGINT NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "certification_change_version_idx" ON "certification"("change_version");

-- CreateIndex: the first valid certificate to lapse (when the certified set next changes by itself).
CREATE INDEX "certification_status_valid_until_idx" ON "certification"("status", "valid_until");

CREATE FUNCTION "certification_take_change_version"() RETURNS trigger AS $$
BEGIN
    UPDATE "certification_change_counter" SET "value" = "value" + 1 WHERE "id" = 1 RETURNING "value" INTO NEW."change_version";
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "certification_change_version"
    BEFORE INSERT OR UPDATE ON "certification"
    FOR EACH ROW EXECUTE FUNCTION "certification_take_change_version"();
