// What a copy into PostgreSQL asks that Prisma's query API cannot express: rows written with
// their own ids leave each table's id sequence behind, so the next row would collide; each
// sequence is moved past the largest id. (SQLite keeps its counters itself.)
import type { PrismaClient } from '../generated/prisma/client.js';

export async function resetIdSequences(prisma: Pick<PrismaClient, '$executeRaw'>): Promise<void> {
  await prisma.$executeRaw`
    DO $$
    DECLARE t text;
    BEGIN
      FOREACH t IN ARRAY ARRAY['Project', 'Prompt', 'PromptVersion', 'PromptLabel',
          'PromptLabelHistory', 'Workflow', 'StepRun', 'EvalResult'] LOOP
        EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), COALESCE((SELECT MAX("id") FROM %I), 0) + 1, false)',
          quote_ident(t), t);
      END LOOP;
    END $$`;
}
