// Plain SQL on the connection Prisma uses, through its driver adapter's public interface
// (`SqlQueryable` of @prisma/driver-adapter-utils): the adapter binds the values (booleans as
// 0/1, dates as ISO text) and maps the rows. Hot paths and the reads every command makes use
// it: a statement here is not planned by Prisma's query compiler, and a command that runs
// only these never loads the Prisma client.
import type {
  ArgType,
  SqlDriverAdapter,
  SqlQueryable,
  SqlResultSet,
} from '@prisma/driver-adapter-utils';

export interface Statement {
  sql: string;
  args?: unknown[];
}

export interface Sql {
  /** Rows as objects keyed by column name. */
  query<T = Record<string, unknown>>(sql: string, ...args: unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  execute(sql: string, ...args: unknown[]): Promise<number>;
  /** Runs the statements in one transaction: all of them, or none. */
  transaction(statements: Statement[]): Promise<void>;
}

// The adapter converts strings by declared type only; values here go as they are.
const AS_IS: ArgType = { scalarType: 'unknown', arity: 'scalar' };

function toQuery(sql: string, args: unknown[]) {
  return { sql, args, argTypes: args.map(() => AS_IS) };
}

function toObjects<T>({ columnNames, rows }: SqlResultSet): T[] {
  return rows.map((row) => Object.fromEntries(columnNames.map((name, i) => [name, row[i]])) as T);
}

export function createSql(connect: () => Promise<SqlDriverAdapter>): Sql {
  const execute = async (queryable: SqlQueryable, sql: string, args: unknown[]) =>
    queryable.executeRaw(toQuery(sql, args));
  return {
    async query<T>(sql: string, ...args: unknown[]) {
      return toObjects<T>(await (await connect()).queryRaw(toQuery(sql, args)));
    },
    async execute(sql, ...args) {
      return execute(await connect(), sql, args);
    },
    async transaction(statements) {
      // The same steps as Prisma's own transactions on this adapter: the adapter holds its
      // lock and sends BEGIN; COMMIT or ROLLBACK are ours to send before releasing it.
      const transaction = await (await connect()).startTransaction();
      try {
        for (const { sql, args = [] } of statements) await execute(transaction, sql, args);
        await execute(transaction, 'COMMIT', []);
      } catch (error) {
        try {
          await execute(transaction, 'ROLLBACK', []);
        } finally {
          await transaction.rollback();
        }
        throw error;
      }
      await transaction.commit();
    },
  };
}
