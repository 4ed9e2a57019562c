import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { ProjectService } from '../../src/services/project-service.js';
import { testDatabase } from '../support/db.js';
import { tempDir } from '../support/temp.js';

async function setup() {
  const db = await testDatabase();
  const cwd = tempDir();
  const service = new ProjectService({ repository: new ProjectRepository(db.prisma), cwd });
  return { db, cwd, service };
}

describe('ProjectService', () => {
  it('creates a project with a root resolved against the working directory', async () => {
    const { service, cwd } = await setup();
    mkdirSync(join(cwd, 'app'));
    const project = await service.create('my-app', {
      description: ' Billing ',
      rootPath: 'app',
      model: 'gpt-4o-mini',
    });
    expect(project).toMatchObject({
      name: 'my-app',
      description: 'Billing',
      rootPath: join(cwd, 'app'),
      defaultModel: 'gpt-4o-mini',
      counts: { prompts: 0, workflows: 0, sessions: 0 },
    });
  });

  it.each([
    ['', /cannot be empty/],
    ['   ', /cannot be empty/],
    ['two words', /use letters, digits/],
    ['-leading-dash', /use letters, digits/],
    ['x'.repeat(65), /at most 64/],
    ['emoji🙂', /use letters, digits/],
  ])('refuses the name %j', async (name, message) => {
    const { service } = await setup();
    await expect(service.create(name, {})).rejects.toThrow(message);
    await expect(service.create(name, {})).rejects.toBeInstanceOf(ValidationError);
    expect(await service.list()).toEqual([]);
  });

  it('refuses a duplicate name with a conflict', async () => {
    const { service } = await setup();
    await service.create('dup', {});
    await expect(service.create('dup', {})).rejects.toBeInstanceOf(ConflictError);
    expect(await service.list()).toHaveLength(1);
  });

  it('refuses a root that does not exist or is a file', async () => {
    const { service, cwd } = await setup();
    await expect(service.create('a', { rootPath: 'nope' })).rejects.toThrow(/does not exist/);
    writeFileSync(join(cwd, 'file.txt'), 'x');
    await expect(service.create('a', { rootPath: 'file.txt' })).rejects.toThrow(/not a directory/);
  });

  it('updates fields, clears them with an empty string, and renames', async () => {
    const { service } = await setup();
    await service.create('old', { description: 'first', model: 'm1' });
    const updated = await service.update('old', { description: '', model: 'm2', newName: 'new' });
    expect(updated).toMatchObject({ name: 'new', description: null, defaultModel: 'm2' });
    await expect(service.get('old')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses an update with nothing to change, or a rename onto another project', async () => {
    const { service } = await setup();
    await service.create('a', {});
    await service.create('b', {});
    await expect(service.update('a', {})).rejects.toThrow(/Nothing to update/);
    await expect(service.update('a', { newName: 'b' })).rejects.toBeInstanceOf(ConflictError);
    await expect(service.update('missing', { description: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('lists with counts and deletes a project with its prompts, workflows and sessions', async () => {
    const { service, db } = await setup();
    const project = await service.create('full', {});
    await service.create('other', {});
    const prompt = await db.prisma.prompt.create({ data: { name: 'p', projectId: project.id } });
    await db.prisma.promptVersion.create({ data: { promptId: prompt.id, version: 1, body: 'hi' } });
    await db.prisma.workflow.create({
      data: { name: 'w', projectId: project.id, definition: 'name: w' },
    });
    await db.prisma.orchestrationSession.create({
      data: { sessionId: 's-1', projectId: project.id, featureRequest: 'add auth' },
    });
    await db.prisma.execution.create({
      data: { id: 'e-1', projectId: project.id, model: 'm', status: 'success' },
    });

    const listed = await service.list();
    expect(listed.map((p) => [p.name, p.counts])).toEqual([
      ['full', { prompts: 1, workflows: 1, sessions: 1 }],
      ['other', { prompts: 0, workflows: 0, sessions: 0 }],
    ]);
    // The list is plain SQL: its records have the same fields and types as a single lookup.
    expect(listed[0]).toEqual(await service.get('full'));
    expect(listed[0]?.createdAt).toBeInstanceOf(Date);

    const deleted = await service.delete('full');
    expect(deleted.counts).toEqual({ prompts: 1, workflows: 1, sessions: 1 });
    expect(await db.prisma.prompt.count()).toBe(0);
    expect(await db.prisma.promptVersion.count()).toBe(0);
    expect(await db.prisma.workflow.count()).toBe(0);
    expect(await db.prisma.orchestrationSession.count()).toBe(0);
    // The call history stays, detached from the project.
    expect(await db.prisma.execution.findUnique({ where: { id: 'e-1' } })).toMatchObject({
      projectId: null,
    });
    expect((await service.list()).map((p) => p.name)).toEqual(['other']);
  });
});
