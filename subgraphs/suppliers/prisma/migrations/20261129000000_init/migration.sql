-- CreateEnum
CREATE TYPE "SupplierKind" AS ENUM ('COOPERATIVE', 'RELIEF_WORKSHOP', 'ENTERPRISE', 'FAMILY_FARM');

-- CreateTable
CREATE TABLE "region" (
    "code" CHAR(6) NOT NULL,
    "name" TEXT NOT NULL,
    "county" TEXT NOT NULL,
    "city" TEXT NOT NULL,
    "province" TEXT NOT NULL,
    "designated_poverty_county" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "region_pkey" PRIMARY KEY ("code"),
    CONSTRAINT "region_code_six_digits" CHECK ("code" ~ '^[0-9]{6}$')
);

-- CreateTable
CREATE TABLE "supplier" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "normalized_name" TEXT NOT NULL,
    "kind" "SupplierKind" NOT NULL,
    "region_code" CHAR(6) NOT NULL,
    "beneficiary_households" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "supplier_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "supplier_beneficiary_households_non_negative" CHECK ("beneficiary_households" >= 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "supplier_region_code_normalized_name_key" ON "supplier"("region_code", "normalized_name");

-- CreateIndex
CREATE INDEX "supplier_region_code_id_idx" ON "supplier"("region_code", "id");

-- AddForeignKey
ALTER TABLE "supplier" ADD CONSTRAINT "supplier_region_code_fkey" FOREIGN KEY ("region_code") REFERENCES "region"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
