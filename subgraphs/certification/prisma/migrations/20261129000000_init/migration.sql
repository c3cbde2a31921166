-- CreateEnum
CREATE TYPE "CertificationStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'REVOKED', 'EXPIRED');

-- CreateTable
CREATE TABLE "certification" (
    "id" TEXT NOT NULL,
    "product_id" TEXT NOT NULL,
    "status" "CertificationStatus" NOT NULL,
    "certificate_number" TEXT,
    "issued_by" TEXT,
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "evidence" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "certification_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "certification_approved_has_certificate" CHECK (
        "status" IN ('PENDING', 'REJECTED')
        OR ("certificate_number" IS NOT NULL AND "valid_from" IS NOT NULL AND "valid_until" IS NOT NULL)
    )
);

-- CreateTable
CREATE TABLE "certification_event" (
    "id" BIGSERIAL NOT NULL,
    "certification_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "note" TEXT,
    CONSTRAINT "certification_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certificate_sequence" (
    "year" INTEGER NOT NULL,
    "region_code" CHAR(6) NOT NULL,
    "last_value" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "certificate_sequence_pkey" PRIMARY KEY ("year", "region_code")
);

-- CreateIndex
CREATE UNIQUE INDEX "certification_certificate_number_key" ON "certification"("certificate_number");

-- CreateIndex
CREATE INDEX "certification_product_id_created_at_idx" ON "certification"("product_id", "created_at");

-- CreateIndex
CREATE INDEX "certification_status_id_idx" ON "certification"("status", "id");

-- CreateIndex
CREATE INDEX "certification_event_certification_id_id_idx" ON "certification_event"("certification_id", "id");

-- One open (PENDING or APPROVED) certification per product, enforced by the database.
CREATE UNIQUE INDEX "certification_one_open_per_product" ON "certification"("product_id") WHERE "status" IN ('PENDING', 'APPROVED');

-- AddForeignKey
ALTER TABLE "certification_event" ADD CONSTRAINT "certification_event_certification_id_fkey" FOREIGN KEY ("certification_id") REFERENCES "certification"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- History is append-only: refuse UPDATE and DELETE on events.
CREATE FUNCTION "certification_event_append_only"() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'certification history is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "certification_event_no_update_delete"
    BEFORE UPDATE OR DELETE ON "certification_event"
    FOR EACH ROW EXECUTE FUNCTION "certification_event_append_only"();
