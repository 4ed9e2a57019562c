import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/db/prisma-errors.js';
import { testDatabase } from '../support/db.js';

describe('plain SQL on the Prisma connection', () => {
  it('binds values and reads rows as objects, with numbers and text as stored', async () => {
    const db = await testDatabase();
    const changed = await db.sql.execute(
      'INSERT INTO "Project" ("name", "description", "createdAt", "updatedAt") VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
      ...['a', null, '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00'],
      ...['b', 'B', '2026-01-02T00:00:00.000+00:00', '2026-01-02T00:00:00.000+00:00'],
    );
    expect(changed).toBe(2);
    const rows = await db.sql.query<{ id: number; name: string; description: string | null }>(
      'SELECT "id", "name", "description" FROM "Project" WHERE "name" >= ? ORDER BY "name"',
      'a',
    );
    expect(rows).toEqual([
      { id: 1, name: 'a', description: null },
      { id: 2, name: 'b', description: 'B' },
    ]);
    // Prisma sees what plain SQL wrote: one connection.
    expect((await db.prisma.project.findUnique({ where: { name: 'b' } }))?.createdAt).toEqual(
      new Date('2026-01-02T00:00:00.000Z'),
    );
  });

  it('runs a transaction all or nothing, and names a unique violation', async () => {
    const db = await testDatabase();
    const insert = (name: string) => ({
      sql: 'INSERT INTO "Project" ("name", "updatedAt") VALUES (?, ?)',
      args: [name, new Date()],
    });
    await db.sql.transaction([insert('one'), insert('two')]);
    const error = await db.sql
      .transaction([insert('three'), insert('one')])
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    const names = await db.sql.query<{ name: string }>('SELECT "name" FROM "Project" ORDER BY 1');
    expect(names.map((r) => r.name)).toEqual(['one', 'two']);
    // The connection is free again: Prisma's own transactions still work.
    await db.prisma.project.create({ data: { name: 'four', prompts: { create: { name: 'p' } } } });
    expect(await db.prisma.project.count()).toBe(3);
  });
});
