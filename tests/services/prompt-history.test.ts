import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../src/core/errors.js';
import { ProjectRepository } from '../../src/db/repositories/project-repository.js';
import { PromptRepository } from '../../src/db/repositories/prompt-repository.js';
import { PromptHistoryService } from '../../src/services/prompt-history.js';
import { parsePromptRef } from '../../src/services/prompt-ref.js';
import { PromptService } from '../../src/services/prompt-service.js';
import { testDatabase } from '../support/db.js';

async function setup() {
  const db = await testDatabase();
  const projects = new ProjectRepository(db.prisma);
  const repository = new PromptRepository(db.prisma);
  const prompts = new PromptService({ prompts: repository, projects });
  const history = new PromptHistoryService({ prompts, repository });
  await projects.create({ name: 'app' });
  const scope = await prompts.scope('app');
  await prompts.create(scope, 'sum', { body: 'Summarise {{text}}', model: 'small' });
  await prompts.update(scope, 'sum', { body: 'Summarise briefly: {{text}}', message: 'shorter' });
  await prompts.update(scope, 'sum', {
    system: 'You are terse.',
    parameters: { temperature: 0.1 },
  });
  return { db, prompts, history, scope };
}

describe('prompt references', () => {
  it.each([
    ['sum', { name: 'sum' }],
    ['sum@2', { name: 'sum', version: 2 }],
    ['sum@v2', { name: 'sum', version: 2 }],
    ['sum@latest', { name: 'sum' }],
    ['sum@production', { name: 'sum', label: 'production' }],
  ])('%s', (text, ref) => {
    expect(parsePromptRef(text)).toEqual(ref);
  });

  it.each([
    ['sum@', /Invalid prompt reference/],
    ['@2', /Invalid prompt reference/],
    ['sum@0', /Invalid version/],
    ['sum@pro duction', /Invalid label/],
  ])('refuses %s', (text, message) => {
    expect(() => parsePromptRef(text)).toThrow(message);
  });
});

describe('PromptHistoryService', () => {
  it('points labels at versions, moves them, keeps every move, and deletes them', async () => {
    const { prompts, history, scope } = await setup();
    expect(await history.setLabel(scope, 'sum', 'production', 2)).toEqual({
      prompt: 'sum',
      label: 'production',
      version: 2,
      previous: null,
    });
    expect(await history.setLabel(scope, 'sum', 'staging')).toMatchObject({ version: 3 });
    expect((await prompts.get(scope, 'sum@production')).version.body).toBe(
      'Summarise briefly: {{text}}',
    );
    expect((await prompts.get(scope, 'sum@production')).label).toBe('production');
    expect((await prompts.get(scope, 'sum@staging')).version.version).toBe(3);

    // A label moves; the version it pointed at does not change.
    expect(await history.setLabel(scope, 'sum', 'production', 3)).toMatchObject({
      version: 3,
      previous: 2,
    });
    expect((await prompts.get(scope, 'sum@2')).version.body).toBe('Summarise briefly: {{text}}');
    expect(await history.deleteLabel(scope, 'sum', 'staging')).toMatchObject({
      version: null,
      previous: 3,
    });

    const labels = await history.labels(scope, 'sum');
    expect(labels.labels).toEqual([{ name: 'production', version: 3 }]);
    expect(labels.history.map((m) => [m.label, m.version])).toEqual([
      ['production', 2],
      ['staging', 3],
      ['production', 3],
      ['staging', null],
    ]);
    const versions = await history.versions(scope, 'sum');
    expect(versions.map((v) => v.labels)).toEqual([[], [], ['production']]);
  });

  it('names the versions and labels that exist when one is missing', async () => {
    const { prompts, history, scope } = await setup();
    await history.setLabel(scope, 'sum', 'production', 1);
    const missingLabel = await prompts.get(scope, 'sum@staging').catch((e: unknown) => e);
    expect(missingLabel).toBeInstanceOf(NotFoundError);
    expect(missingLabel).toMatchObject({
      message: 'Prompt "sum" has no label "staging"',
      hint: 'it has versions 1 to 3 and labels production (v1)',
    });
    await expect(prompts.get(scope, 'sum@7')).rejects.toThrow('Prompt "sum" has no version 7');
    await expect(history.setLabel(scope, 'sum', 'production', 9)).rejects.toThrow(
      'has no version 9',
    );
    await expect(history.deleteLabel(scope, 'sum', 'staging')).rejects.toThrow(
      'has no label "staging"',
    );
    await expect(history.setLabel(scope, 'sum', '3')).rejects.toThrow(ValidationError);
    await expect(history.setLabel(scope, 'sum', 'latest')).rejects.toThrow(/always means/);
    await expect(prompts.get(scope, 'sum@production', 2)).rejects.toThrow(
      'name different versions',
    );
    expect((await prompts.get(scope, 'sum@2', 2)).version.version).toBe(2);
    // Nothing changed by the refused commands.
    expect((await history.labels(scope, 'sum')).history).toHaveLength(1);
  });

  it('diffs two versions, two labels, or the two latest by default', async () => {
    const { history, scope } = await setup();
    const latest = await history.diff(scope, 'sum');
    expect(latest).toMatchObject({
      changed: true,
      from: { ref: 'sum@2', version: 2, label: null },
      to: { ref: 'sum', version: 3, label: null },
    });
    expect(latest.patch).toContain('--- sum@2');
    expect(latest.patch).toContain('-(none)\n+You are terse.');
    expect(latest.patch).toContain('+temperature: 0.1');
    expect(latest.patch).not.toMatch(/^Index:|^====/m);

    await history.setLabel(scope, 'sum', 'production', 1);
    const labelled = await history.diff(scope, 'sum', 'production', 'v2');
    expect(labelled.from).toEqual({ ref: 'sum@production', version: 1, label: 'production' });
    expect(labelled.patch).toContain('-Summarise {{text}}\n+Summarise briefly: {{text}}');
    expect(labelled.patch).not.toContain('temperature');

    expect((await history.diff(scope, 'sum', '2', '2')).changed).toBe(false);
    await expect(history.diff(scope, 'sum', 'staging')).rejects.toThrow('no label "staging"');
  });

  it('diffs the front matter beyond the columns too (an output schema)', async () => {
    const { history, prompts, scope } = await setup();
    await prompts.update(scope, 'sum', {
      metadata: { output: { format: 'json', schema: { summary: 'string' } } },
    });
    const diff = await history.diff(scope, 'sum');
    expect(diff.patch).toContain('+output: {"format":"json","schema":{"summary":"string"}}');
  });

  it('refuses to diff a prompt of one version', async () => {
    const { prompts, history, scope } = await setup();
    await prompts.create(scope, 'one', { body: 'only' });
    await expect(history.diff(scope, 'one')).rejects.toThrow('one version: nothing to compare');
  });
});
