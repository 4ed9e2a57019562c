// Copies every row of one store into another, empty one (SQLite → PostgreSQL and back):
// table by table in the order their foreign keys need, a batch of rows at a time, through
// Prisma's client on both sides. Ids are kept, so references and history stay whole; the
// counts of both stores are compared at the end. The target is written in one transaction:
// a copy that fails, is interrupted or loses its connection leaves it empty, as it was.
import { AppError, ConflictError, DatabaseError } from '../core/errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { Database } from './client.js';
import { isUniqueViolation } from './errors.js';
import { resetIdSequences } from './store-copy.sql.js';

/** Each table (Prisma's delegate name) with its key, parents before children. */
export const COPY_TABLES = [
  { table: 'project', key: 'id' },
  { table: 'prompt', key: 'id' },
  { table: 'promptVersion', key: 'id' },
  { table: 'promptLabel', key: 'id' },
  { table: 'promptLabelHistory', key: 'id' },
  { table: 'workflow', key: 'id' },
  { table: 'workflowRun', key: 'id' },
  { table: 'orchestrationSession', key: 'sessionId' },
  { table: 'optimization', key: 'id' },
  { table: 'execution', key: 'id' },
  { table: 'stepRun', key: 'id' },
  { table: 'cacheEntry', key: 'key' },
  { table: 'evalRun', key: 'id' },
  { table: 'evalResult', key: 'id' },
] as const;

export type CopyTable = (typeof COPY_TABLES)[number]['table'];

/** Rows per batch: small enough for either engine's limit of bound values. */
export const COPY_BATCH = 500;

/** What every table's delegate offers the copy. */
interface Delegate {
  count(): Promise<number>;
  findMany(args: object): Promise<Record<string, unknown>[]>;
  createMany(args: { data: Record<string, unknown>[] }): Promise<{ count: number }>;
}

/** The client, or a transaction of it. */
type Client = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

function delegate(prisma: Client, table: CopyTable): Delegate {
  return (prisma as unknown as Record<CopyTable, Delegate>)[table];
}

/** Rows per table. */
export async function countRows(prisma: Client): Promise<Record<CopyTable, number>> {
  const counts = await Promise.all(COPY_TABLES.map(({ table }) => delegate(prisma, table).count()));
  return Object.fromEntries(COPY_TABLES.map(({ table }, i) => [table, counts[i]])) as Record<
    CopyTable,
    number
  >;
}

export interface CopyResult {
  tables: Record<CopyTable, number>;
  rows: number;
}

export async function copyStore(
  source: Database,
  target: Database,
  onProgress: (copied: number, total: number) => void | Promise<void> = () => {},
): Promise<CopyResult> {
  try {
    return await target.prisma.$transaction(
      (tx) => copyInto(tx, source, target, onProgress),
      // Waits for a copy running into the same target; no limit on the copy itself.
      { maxWait: 60_000, timeout: 24 * 3600_000 },
    );
  } catch (error) {
    if (!(error instanceof AppError) && isUniqueViolation(error)) {
      throw new ConflictError(
        `${target.location.display} was filled by another copy meanwhile: nothing was copied`,
      );
    }
    throw error;
  }
}

async function copyInto(
  tx: Client,
  source: Database,
  target: Database,
  onProgress: (copied: number, total: number) => void | Promise<void>,
): Promise<CopyResult> {
  const existing = await countRows(tx);
  const filled = Object.entries(existing).filter(([, n]) => n > 0);
  if (filled.length > 0) {
    const rows = filled.reduce((sum, [, n]) => sum + n, 0);
    throw new ConflictError(
      `${target.location.display} is not empty (${rows} row${rows === 1 ? '' : 's'}, in ${filled.map(([t]) => t).join(', ')}): nothing was copied`,
      { hint: 'copy into a new file or an empty database' },
    );
  }
  const counts = await countRows(source.prisma);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  let copied = 0;
  await onProgress(0, total);
  for (const { table, key } of COPY_TABLES) {
    const from = delegate(source.prisma, table);
    const to = delegate(tx, table);
    let after: unknown;
    for (;;) {
      const rows = await from.findMany({
        where: after === undefined ? {} : { [key]: { gt: after } },
        orderBy: { [key]: 'asc' },
        take: COPY_BATCH,
      });
      if (rows.length === 0) break;
      await to.createMany({ data: rows });
      copied += rows.length;
      await onProgress(copied, total);
      after = rows.at(-1)?.[key];
      if (rows.length < COPY_BATCH) break;
    }
  }
  if (target.engine === 'postgresql') await resetIdSequences(tx);
  const written = await countRows(tx);
  const differ = COPY_TABLES.filter(({ table }) => written[table] !== counts[table]);
  if (differ.length > 0) {
    const detail = differ.map(({ table }) => `${table} ${written[table]}/${counts[table]}`);
    throw new DatabaseError(`The copy is incomplete: ${detail.join(', ')}`, {
      code: 'COPY_INCOMPLETE',
      hint: 'the source changed during the copy: nothing was kept, copy again',
    });
  }
  return { tables: counts, rows: total };
}
