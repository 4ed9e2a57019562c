import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { PromptHistoryService } from '../../src/services/prompt-history.js';
import { ORCHESTRATION_CATEGORY, PromptService } from '../../src/services/prompt-service.js';
import { testDatabase } from '../support/db.js';

async function setup() {
  const db = await testDatabase();
  const projects = new ProjectRepository(db.prisma);
  const repository = new PromptRepository(db.prisma);
  const service = new PromptService({ prompts: repository, projects });
  const history = new PromptHistoryService({ prompts: service, repository });
  await projects.create({ name: 'app' });
  await projects.create({ name: 'other' });
  return {
    db,
    service,
    history,
    scope: await service.scope('app'),
    global: await service.scope(null),
  };
}

describe('PromptService', () => {
  it('creates version 1 with the variables its templates use and the declared ones', async () => {
    const { service, scope } = await setup();
    const view = await service.create(scope, 'greet', {
      body: 'Hello {{name}} about {{topic}}{{#if formal}}, sir{{/if}}',
      system: 'You speak {{language}}.',
      variables: [{ name: 'topic', required: false, default: 'AI', description: 'subject' }],
      tags: ['demo'],
      parameters: { temperature: 0.2 },
    });
    expect(view.version).toMatchObject({ version: 1, system: 'You speak {{language}}.' });
    expect(view.version.variables).toEqual([
      { name: 'topic', required: false, default: 'AI', description: 'subject' },
      { name: 'name', required: true },
      { name: 'formal', required: false },
      { name: 'language', required: true },
    ]);
    expect(view.prompt).toMatchObject({ name: 'greet', tags: ['demo'], versionCount: 1 });
  });

  it('refuses broken templates, empty bodies, bad names and duplicates, saving nothing', async () => {
    const { service, scope } = await setup();
    await expect(service.create(scope, 'bad', { body: 'Hi {{name' })).rejects.toThrow(
      /Template "body" has a syntax error at line 1/,
    );
    await expect(service.create(scope, 'bad', { body: 'ok', system: '{{#if x}}' })).rejects.toThrow(
      /Template "system" has a syntax error/,
    );
    await expect(service.create(scope, 'empty', { body: ' \n ' })).rejects.toThrow(
      'The prompt body is empty',
    );
    await expect(service.create(scope, 'two words', { body: 'x' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await service.list(scope)).toEqual([]);
    await service.create(scope, 'taken', { body: 'x' });
    await expect(service.create(scope, 'taken', { body: 'y' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('makes a new version only when something of the version changes', async () => {
    const { service, history, scope } = await setup();
    await service.create(scope, 'p', { body: 'one {{a}}', model: 'm1' });
    const same = await service.update(scope, 'p', { body: 'one {{a}}' });
    expect(same).toMatchObject({ changed: false, version: { version: 1 } });

    const described = await service.update(scope, 'p', { description: 'about p' });
    expect(described).toMatchObject({ changed: true, version: { version: 1 } });
    expect(described.prompt.description).toBe('about p');

    const v2 = await service.update(scope, 'p', { body: 'two {{b}}', message: 'rewrite' });
    expect(v2.version).toMatchObject({ version: 2, message: 'rewrite', model: 'm1' });
    expect(v2.version.variables).toEqual([{ name: 'b', required: true }]);
    const v3 = await service.update(scope, 'p', { model: null, parameters: { seed: 7 } });
    expect(v3.version).toMatchObject({ version: 3, body: 'two {{b}}', model: null });

    expect((await service.get(scope, 'p', 1)).version.body).toBe('one {{a}}');
    await expect(service.get(scope, 'p', 9)).rejects.toThrow('Prompt "p" has no version 9');
    await expect(service.update(scope, 'p', {})).rejects.toThrow('Nothing to update');

    const versions = await history.versions(scope, 'p');
    expect(versions.map((v) => [v.version, v.linesAdded, v.linesRemoved])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [3, 0, 0],
    ]);
  });

  it('reports the version each of several concurrent updates wrote', async () => {
    const { service, scope } = await setup();
    await service.create(scope, 'race', { body: 'v1' });
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((body) => service.update(scope, 'race', { body })),
    );
    for (const [index, result] of results.entries()) {
      expect(result.version.body).toBe(['a', 'b', 'c', 'd'][index]);
    }
    expect(new Set(results.map((r) => r.version.version)).size).toBe(4);
  });

  it('renders system and user text with defaults, naming every missing variable', async () => {
    const { service, scope } = await setup();
    await service.create(scope, 'p', {
      body: '{{a}} {{b}} {{c}}',
      system: 'sys {{a}}',
      variables: [{ name: 'c', required: false, default: 'C' }],
    });
    const rendered = await service.render(scope, 'p', { a: 'A', b: 'B' });
    expect(rendered).toMatchObject({
      system: 'sys A',
      user: 'A B C',
      messages: [
        { role: 'system', content: [{ text: 'sys A' }] },
        { role: 'user', content: [{ text: 'A B C' }] },
      ],
    });
    await expect(service.render(scope, 'p', {})).rejects.toThrow('Missing variables: "a", "b"');
  });

  it('includes other prompts as partials and refuses missing or recursive ones', async () => {
    const { service, scope } = await setup();
    await service.create(scope, 'signature', { body: '-- {{author}}' });
    await service.create(scope, 'letter', { body: 'Dear {{to}}\n{{> signature}}' });
    const rendered = await service.render(scope, 'letter', { to: 'Ann', author: 'Bo' });
    expect(rendered.user).toBe('Dear Ann\n-- Bo');
    await expect(service.render(scope, 'letter', { to: 'Ann' })).rejects.toThrow(
      'Missing variable: "author"',
    );

    await service.create(scope, 'orphan', { body: '{{> nowhere}}' });
    await expect(service.render(scope, 'orphan', {})).rejects.toThrow(
      'Partial "nowhere" not found',
    );

    await service.create(scope, 'ping', { body: 'ping {{> pong}}' });
    await service.create(scope, 'pong', { body: 'pong {{> ping}}' });
    await expect(service.render(scope, 'ping', {})).rejects.toThrow(
      'Recursive partial: ping → pong → ping',
    );
  });

  it('falls back to global prompts and lists them after the project ones', async () => {
    const { service, scope, global } = await setup();
    await service.create(global, 'shared', { body: 'global {{x}}' });
    await service.create(global, 'hidden', { body: 'global copy' });
    await service.create(scope, 'hidden', { body: 'project copy' });
    await service.create(scope, 'tmpl', { body: 't', category: ORCHESTRATION_CATEGORY });
    expect((await service.render(scope, 'shared', { x: 1 })).user).toBe('global 1');
    expect((await service.render(scope, 'hidden', {})).user).toBe('project copy');
    expect((await service.list(scope)).map((p) => [p.name, p.projectId === null])).toEqual([
      ['hidden', false],
      ['shared', true],
    ]);
    expect((await service.list(scope, { all: true })).map((p) => p.name)).toContain('tmpl');
    const other = await service.scope('other');
    await expect(service.find(other, 'tmpl')).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.scope('ghost')).rejects.toThrow('Project "ghost" not found');
  });

  it('stores and renders a 2 MB template with non-ASCII text byte for byte', async () => {
    const { service, scope } = await setup();
    const line = 'Emoji 🚀, CJK 漢字かな, RTL עברית العربية\n';
    const text = line.repeat(Math.ceil((2 * 1024 * 1024) / Buffer.byteLength(line)));
    const body = `{{name}}\n${text}{{#each items}}{{this}}{{/each}}{{name}}`;
    expect(Buffer.byteLength(body)).toBeGreaterThan(2 * 1024 * 1024);
    await service.create(scope, 'big', { body });
    expect((await service.get(scope, 'big')).version.body).toBe(body);
    const rendered = await service.render(scope, 'big', { name: 'Zoë', items: ['a', 'b'] });
    expect(rendered.user).toBe(`Zoë\n${text}abZoë`);
  });

  it('deletes a prompt with its versions', async () => {
    const { service, scope, db } = await setup();
    await service.create(scope, 'gone', { body: 'a' });
    await service.update(scope, 'gone', { body: 'b' });
    await service.delete(scope, 'gone');
    expect(await db.prisma.promptVersion.count()).toBe(0);
    await expect(service.delete(scope, 'gone')).rejects.toBeInstanceOf(NotFoundError);
  });
});
