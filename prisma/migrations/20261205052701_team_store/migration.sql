-- AlterTable
ALTER TABLE "Execution" ADD COLUMN "createdBy" TEXT;

-- CreateTable
CREATE TABLE "StoreInfo" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);
