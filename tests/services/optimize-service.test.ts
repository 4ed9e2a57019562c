// The optimization service over a real database and the local model server, scripted as the
// optimizer, the model and the grader: what is kept of a prompt's front matter, the grader's
// calls, a failing optimizer, the sign test's veto, and Ctrl-C.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/core/config.js';
import { createServices } from '../../src/services/index.js';
import type { OptimizeOptions } from '../../src/services/optimize-service.js';
import { testDatabase } from '../support/db.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody, ReplyScript } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const CASES = Array.from({ length: 48 }, (_, i) => `c${String(i).padStart(2, '0')}`);

const isOptimizer = (request: ChatRequestBody) =>
  String(request.messages[0]?.content).startsWith('You improve prompt templates');
const isGrader = (request: ChatRequestBody) =>
  String(request.messages[0]?.content).startsWith('You grade the output');

async function setUp(
  reply: (request: ChatRequestBody) => ReplyScript | Promise<ReplyScript>,
  evalExtra = '',
) {
  const server = await modelServer(reply);
  const dir = tempDir();
  const db = await testDatabase();
  const config: Config = { maxRetries: 0 };
  const services = createServices(db, {
    cwd: dir,
    env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test' },
    config: () => config,
    importModule: (url) => import(url),
  });
  const prompts = await services.prompts();
  const scope = await prompts.scope(null);
  const cases = CASES.map((id) => `  - { id: ${id}, vars: { id: ${id} } }`).join('\n');
  writeFileSync(
    join(dir, 'eval.yaml'),
    `prompts: [classify]\nmodels: [{ model: gpt-4o-mini, maxTokens: 60 }]\ncases:\n${cases}\ndefaults:\n  assert:\n    - { type: contains, value: LABEL }\n${evalExtra}`,
  );
  const optimizer = await services.optimizations();
  const options = (extra: Partial<OptimizeOptions> = {}): OptimizeOptions => ({
    evalFile: 'eval.yaml',
    rounds: 2,
    candidates: 2,
    split: 0.7,
    seed: 1,
    minGain: 0.05,
    alpha: 0.1,
    concurrency: 4,
    ...extra,
  });
  return { server, db, prompts, scope, optimizer, options };
}

describe('OptimizeService', () => {
  it('rewrites the system text too, keeps the front matter, and links the grader calls', async () => {
    const { db, prompts, scope, optimizer, options, server } = await setUp((request) => {
      if (isOptimizer(request)) {
        return {
          content: JSON.stringify({
            candidates: [
              {
                body: 'Case {{id}}.',
                system: 'You label cases in CAPS.',
                rationale: 'capitals',
              },
            ],
          }),
        };
      }
      if (isGrader(request)) {
        return { content: '{"pass": true, "score": 1, "reason": "fine"}' };
      }
      const system = String(request.messages[0]?.content);
      return { content: JSON.stringify({ label: system.includes('CAPS') ? 'LABEL' : 'x' }) };
    }, '    - { type: llm-rubric, value: a label }\ngrader: { model: gpt-4o-mini, maxTokens: 40 }\n');
    const metadata = {
      output: {
        format: 'json',
        schema: { type: 'object', properties: { label: { type: 'string' } } },
      },
      'prompt-runner.extra': 'kept',
    };
    await prompts.create(scope, 'classify', {
      body: 'Case {{id}}.',
      system: 'You label cases.',
      parameters: { temperature: 0.3 },
      metadata,
    });
    const plan = await optimizer.plan(scope, 'classify', options({ rounds: 1, candidates: 1 }));
    const { optimization, story } = await optimizer.run(
      plan,
      options({ rounds: 1, candidates: 1, noCache: true }),
    );
    expect(optimization.status).toBe('saved');
    const saved = await prompts.get(scope, 'classify');
    expect(saved.version).toMatchObject({
      version: 2,
      body: 'Case {{id}}.',
      system: 'You label cases in CAPS.',
      parameters: { temperature: 0.3 },
      metadata,
    });
    expect(story.rounds[0]?.candidates[0]).toMatchObject({
      status: 'measured',
      system: 'You label cases in CAPS.',
    });
    // Each answer was graded once: the grader's calls name the optimization too.
    const graded = await db.prisma.execution.count({
      where: { optimizationId: optimization.id, phase: 'grade' },
    });
    expect(graded).toBe(CASES.length + plan.train.length + plan.heldOut.length);
    // Every call is recorded; the grader's repeated verdicts come from the cache.
    const linked = { optimizationId: optimization.id };
    expect(await db.prisma.execution.count({ where: linked })).toBe(plan.estimate.calls);
    expect(await db.prisma.execution.count({ where: { ...linked, cacheHit: false } })).toBe(
      server.requests.length,
    );
    expect(optimization.calls).toBe(server.requests.length);
    const measured = await db.prisma.evalRun.findMany({
      where: { optimizationId: optimization.id },
    });
    expect(measured).toHaveLength(3);
  });

  it('ends a round whose optimizer answer is not rewrites, and refuses rewrites it cannot render', async () => {
    let asked = 0;
    const { prompts, scope, optimizer, options } = await setUp((request) => {
      if (!isOptimizer(request)) return { content: 'no' };
      asked++;
      if (asked <= 2) return { content: 'I would rather not.' };
      return {
        content: JSON.stringify({
          candidates: [
            { body: 'Case {{id}}. {{#each}}x{{/each}}', rationale: 'a block without its list' },
            { body: 'Case {{id}}. {{> nosuch}}', rationale: 'a partial that does not exist' },
            { body: 'Case {{id}}. {{media url="notes.txt"}}', rationale: 'a file' },
          ],
        }),
      };
    });
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const plan = await optimizer.plan(scope, 'classify', options({ candidates: 3 }));
    const result = await optimizer.run(plan, options({ candidates: 3 }));
    expect(result.error).toBeUndefined();
    expect(result.optimization.status).toBe('not_saved');
    const [first, second] = result.story.rounds;
    // Asked once more with the errors, then the round ends; the next round asks again.
    expect(first?.why).toMatch(/^the optimizer's answer is not usable: The answer does not follow/);
    expect(first?.optimizerExecutionId).toEqual(expect.any(String));
    expect(second?.candidates.map((c) => [c.status, c.reason])).toEqual([
      [
        'refused',
        expect.stringMatching(
          /^cannot be rendered for case c\d+: The template cannot be rendered: Must pass iterator to #each/,
        ),
      ],
      ['refused', 'includes prompts the prompt does not: nosuch'],
      ['refused', 'adds media (`{{media …}}`) the prompt does not have'],
    ]);
    expect(second?.why).toBe('no rewrite could be measured');
    expect(result.story.verdict?.why).toBe('no rewrite beat v1 on the training cases');
    expect((await prompts.get(scope, 'classify')).version.version).toBe(1);
  });

  it('stops, saving nothing, when calls fail: a failed call is not a wrong answer', async () => {
    const { prompts, scope, optimizer, options, server } = await setUp((request) =>
      isOptimizer(request)
        ? { content: JSON.stringify({ candidates: [{ body: 'Case {{id}}!', rationale: 'x' }] }) }
        : String(request.messages.at(-1)?.content).endsWith('!')
          ? { content: 'LABEL' }
          : { status: 500, message: 'the server is down' },
    );
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const plan = await optimizer.plan(scope, 'classify', options());
    const result = await optimizer.run(plan, options());
    expect(result.optimization.status).toBe('failed');
    expect(result.error?.code).toBe('MEASURE_FAILED');
    // The first failures stop it: no more calls start.
    expect(result.error?.message).toMatch(
      /^Measuring start, \d+ calls? failed: .*the server is down/,
    );
    expect(server.requests.length).toBeLessThan(CASES.length);
    expect(result.optimization.error).toMatchObject({ code: 'MEASURE_FAILED' });
    expect(result.story.rounds).toEqual([]);
    expect((await prompts.get(scope, 'classify')).version.version).toBe(1);
  });

  it('does not save a gain the sign test does not trust', async () => {
    const { prompts, scope, optimizer, options } = await setUp((request) => {
      if (isOptimizer(request)) {
        return {
          content: JSON.stringify({ candidates: [{ body: 'Case {{id}}!', rationale: 'x' }] }),
        };
      }
      return { content: String(request.messages.at(-1)?.content).endsWith('!') ? 'LABEL' : 'no' };
    });
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const settings = options({ rounds: 1, candidates: 1, alpha: 0.0001 });
    const plan = await optimizer.plan(scope, 'classify', settings);
    const { optimization, story } = await optimizer.run(plan, settings);
    expect(optimization.status).toBe('not_saved');
    expect(story.verdict?.gain).toBe(1);
    expect(story.verdict?.signTest?.p).toBeCloseTo(0.5 ** plan.heldOut.length, 12);
    expect(story.verdict?.why).toMatch(/^the sign test gives p < 0\.001, above --alpha 0\.0001$/);
  });

  it('stops on Ctrl-C keeping what finished: the start and its measurement', async () => {
    const controller = new AbortController();
    const { db, prompts, scope, optimizer, options } = await setUp(async (request) => {
      if (isOptimizer(request)) {
        return {
          content: JSON.stringify({ candidates: [{ body: 'Case {{id}}!', rationale: 'x' }] }),
        };
      }
      if (String(request.messages.at(-1)?.content).endsWith('!')) {
        controller.abort();
        return { content: 'LABEL', delayMs: 2_000 };
      }
      return { content: 'no' };
    });
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const settings = options({ signal: controller.signal });
    const plan = await optimizer.plan(scope, 'classify', settings);
    const { optimization, error, story } = await optimizer.run(plan, settings);
    expect(optimization.status).toBe('cancelled');
    expect(error?.exitCode).toBe(130);
    expect(story.start?.train.cells).toBe(plan.train.length);
    expect(story.rounds[0]?.candidates[0]?.status).toBe('not_measured');
    const runs = await db.prisma.evalRun.findMany({
      where: { optimizationId: optimization.id },
      orderBy: { startedAt: 'asc' },
    });
    expect(runs.map((run) => run.status)).toEqual(['failed', 'cancelled']);
    expect(await db.prisma.evalResult.count({ where: { runId: runs[0]?.id } })).toBe(CASES.length);
  });

  it('stops when a grader call fails, and takes an answer off its schema as a wrong one', async () => {
    let graderDown = false;
    const { prompts, scope, optimizer, options } = await setUp((request) => {
      if (isOptimizer(request)) {
        return {
          content: JSON.stringify({ candidates: [{ body: 'Case {{id}}!', rationale: 'x' }] }),
        };
      }
      if (isGrader(request)) {
        return graderDown
          ? { status: 401, message: 'bad key' }
          : { content: '{"pass": true, "score": 1, "reason": "fine"}' };
      }
      // The start answers off its schema (twice); the rewrite follows it.
      const text = String(request.messages.at(-1)?.content);
      if (text.includes('Case c') && text.includes('!')) {
        graderDown = true;
        return { content: '{"label": "LABEL"}' };
      }
      return { content: 'not JSON' };
    }, '    - { type: llm-rubric, value: a label }\ngrader: gpt-4o-mini\n');
    const output = {
      format: 'json',
      schema: { type: 'object', properties: { label: { type: 'string' } } },
    };
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.', metadata: { output } });
    const plan = await optimizer.plan(scope, 'classify', options({ rounds: 1, candidates: 1 }));
    const result = await optimizer.run(plan, options({ rounds: 1, candidates: 1 }));
    // The start was measured: its answers off the schema are failed cells, not failed calls.
    expect(result.story.start?.train.passRate).toBe(0);
    expect(result.optimization.status).toBe('failed');
    expect(result.error?.code).toBe('MEASURE_FAILED');
    expect(result.error?.message).toMatch(/^Measuring r1c1, \d+ calls? failed: .*bad key/);
  });

  it('stops when the grader answers something that is not a verdict', async () => {
    const { prompts, scope, optimizer, options } = await setUp(
      (request) => ({ content: isGrader(request) ? 'whatever' : 'LABEL' }),
      '    - { type: llm-rubric, value: a label }\ngrader: gpt-4o-mini\n',
    );
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const plan = await optimizer.plan(scope, 'classify', options());
    const result = await optimizer.run(plan, options());
    expect(result.optimization.status).toBe('failed');
    expect(result.error?.message).toMatch(
      /^Measuring start, the grader could not judge 48 answers: the check failed: the grader's answer is not \{pass, score, reason\}/,
    );
  });

  it('shows the next round the rewrites already tried, and refuses a start it cannot render', async () => {
    const requests: string[] = [];
    const { prompts, scope, optimizer, options } = await setUp((request) => {
      if (isOptimizer(request)) {
        const user = String(request.messages.at(-1)?.content);
        requests.push(user);
        const body = requests.length === 1 ? 'Case {{id}}?' : 'Case {{id}}!';
        return { content: JSON.stringify({ candidates: [{ body, rationale: 'try' }] }) };
      }
      return { content: String(request.messages.at(-1)?.content).endsWith('!') ? 'LABEL' : 'no' };
    });
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    const settings = options({ rounds: 2, candidates: 1 });
    const plan = await optimizer.plan(scope, 'classify', settings);
    const { story, optimization } = await optimizer.run(plan, settings);
    expect(story.rounds.map((r) => [r.best, r.kept])).toEqual([
      ['r1c1', false],
      ['r2c1', true],
    ]);
    expect(requests[0]).not.toContain('Rewrites already tried');
    expect(requests[1]).toContain('## Rewrites already tried: none beat the template');
    expect(requests[1]).toContain('### r1c1: train 0.0%\n```handlebars\nCase {{id}}?\n```');
    expect(optimization.status).toBe('saved');

    await prompts.create(scope, 'broken', { body: 'Case {{id}}. {{#each}}x{{/each}}' });
    await expect(optimizer.plan(scope, 'broken', settings)).rejects.toThrow(
      /^broken v1 cannot be rendered for case c\d+: The template cannot be rendered: Must pass iterator/,
    );
  });

  it('counts a gain of exactly --min-gain as enough, and says when newer versions are left out', async () => {
    // The start passes two held-out cases, the rewrite three: a gain of 1/10 exactly.
    const all = CASES.map((id) => ({ id }));
    const { splitCases } = await import('../../src/optimize/split.js');
    const held = splitCases(all, 0.7, 1).heldOut.map((item) => item.id);
    const { prompts, scope, optimizer, options } = await setUp((request) => {
      if (isOptimizer(request)) {
        return {
          content: JSON.stringify({ candidates: [{ body: 'Case {{id}}!', rationale: 'x' }] }),
        };
      }
      const text = String(request.messages.at(-1)?.content);
      const id = /c\d+/.exec(text)?.[0] ?? '';
      const rewrite = text.endsWith('!');
      const passes = held.slice(0, rewrite ? 3 : 2).includes(id) || (rewrite && !held.includes(id));
      return { content: passes ? 'LABEL' : 'no' };
    });
    await prompts.create(scope, 'classify', { body: 'Case {{id}}.' });
    await prompts.update(scope, 'classify', { body: 'Case {{id}}, v2.' });
    const settings = options({ rounds: 1, candidates: 1, minGain: 0.1, alpha: 1 });
    const plan = await optimizer.plan(scope, 'classify@1', settings);
    expect(held).toHaveLength(10);
    const { story, optimization } = await optimizer.run(plan, settings);
    expect(story.verdict?.gain).toBeCloseTo(0.1, 12);
    expect(optimization).toMatchObject({ status: 'saved', savedVersion: 3 });
    expect(story.verdict?.why).toMatch(/; built on v1, without the changes of v2$/);
    const saved = await prompts.get(scope, 'classify');
    expect(saved.version.body).toBe('Case {{id}}!');
    expect(saved.version.message).toMatch(/built on v1, without the changes of v2$/);
  });

  it('finds an optimization by a prefix of its id, and says what it cannot find', async () => {
    const { optimizer } = await setUp(() => ({ content: 'no' }));
    await expect(optimizer.get('ab')).rejects.toThrow(
      'Give at least 4 characters of the optimization id',
    );
    await expect(optimizer.get('abcd')).rejects.toThrow('No optimization with id abcd');
    expect(await optimizer.list({ limit: 5 })).toEqual([]);
  });
});
