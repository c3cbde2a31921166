-- Supplier identity under review: near misses wait for staff, staff merge
-- duplicates, and a merged supplier's id and spellings answer with the survivor.

-- AlterTable
ALTER TABLE "supplier" ADD COLUMN     "merged_into_id" TEXT;

-- CreateTable
CREATE TABLE "supplier_suggestion" (
    "id" TEXT NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "similar_id" TEXT NOT NULL,
    "score" DECIMAL(4,2) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supplier_suggestion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_event" (
    "id" TEXT NOT NULL,
    "supplier_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "detail" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "supplier_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "supplier_suggestion_supplier_id_similar_id_key" ON "supplier_suggestion"("supplier_id", "similar_id");

-- CreateIndex
CREATE INDEX "supplier_event_supplier_id_at_idx" ON "supplier_event"("supplier_id", "at");
