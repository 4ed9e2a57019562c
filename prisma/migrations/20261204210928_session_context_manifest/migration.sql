-- AlterTable
ALTER TABLE "OrchestrationSession" ADD COLUMN "contextManifest" TEXT;
