-- Written by hand: Prisma's schema cannot express a partial index, and a unique index over
-- ("projectId", "name") does not constrain global prompts, whose "projectId" is NULL.
-- Global prompts that already share a name keep the oldest under that name; the later ones
-- are renamed "<name>-2", "<name>-3"… (with "-<id>" added when that name is taken too).
CREATE TEMP TABLE "_global_prompt_duplicates" AS
SELECT "id", "name", "n" FROM (
    SELECT "id", "name", ROW_NUMBER() OVER (PARTITION BY "name" ORDER BY "id") AS "n"
    FROM "Prompt" WHERE "projectId" IS NULL
) WHERE "n" > 1;

UPDATE "Prompt" SET "name" = (
    SELECT d."name" || '-' || d."n" || CASE
        WHEN EXISTS (
            SELECT 1 FROM "Prompt" p WHERE p."projectId" IS NULL AND p."name" = d."name" || '-' || d."n"
        ) THEN '-' || d."id" ELSE '' END
    FROM "_global_prompt_duplicates" d WHERE d."id" = "Prompt"."id"
) WHERE "id" IN (SELECT "id" FROM "_global_prompt_duplicates");

DROP TABLE "_global_prompt_duplicates";

-- CreateIndex
CREATE UNIQUE INDEX "Prompt_global_name_key" ON "Prompt"("name") WHERE "projectId" IS NULL;
