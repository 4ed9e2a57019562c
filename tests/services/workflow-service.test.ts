// Workflows against a real database and the local model server.
import { describe, expect, it } from 'vitest';
import { WorkflowRepository } from '../../src/db/repositories/workflow-repository.js';
import { WorkflowService } from '../../src/services/workflow-service.js';
import type { StepEvent } from '../../src/workflows/engine.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { testServices } from '../support/services.js';

async function setup(reply: Reply) {
  const server = await modelServer(reply);
  const { db, projects, prompts, runs } = await testServices({ OPENAI_BASE_URL: server.url });
  const project = await projects.create({ name: 'app' });
  const workflows = new WorkflowService({
    workflows: new WorkflowRepository(db.prisma),
    prompts,
    runs,
  });
  return { server, db, project, prompts, workflows };
}

const DIAMOND = `name: diamond
inputs:
  topic: { type: string }
steps:
  - id: plan
    template: "PLAN {{inputs.topic}}"
    output: json
    schema: { type: object, required: [title, parts], properties: { parts: { type: array } } }
  - id: left
    template: "LEFT {{steps.plan.output.title}}"
  - id: right
    template: "RIGHT {{steps.plan.output.title}} {{json steps.plan.output.parts 0}}"
  - id: join
    template: "JOIN {{steps.left.output}} + {{steps.right.output}}"
outputs:
  result: "{{steps.join.output}}"
  plan: "{{steps.plan.output}}"
`;

/** Answers by the first word of the prompt; each call takes `delay` ms. */
function scripted(delay = 60, failing = new Set<string>()): Reply {
  return async (body) => {
    const text = body.messages.at(-1)?.content ?? '';
    const word = text.split(' ')[0] ?? '';
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (failing.has(word)) return { status: 400, message: `${word} refused` };
    if (word === 'PLAN')
      return { content: 'Here:\n```json\n{"title": "Cats", "parts": ["a", "b"],}\n```' };
    return { content: `${word.toLowerCase()}-done` };
  };
}

describe('WorkflowService', () => {
  it('runs a diamond: the two middle steps in parallel, the join after both', async () => {
    const { server, project, workflows, db } = await setup(scripted());
    const events: StepEvent[] = [];
    const summary = await workflows.run(
      project,
      { text: DIAMOND },
      { topic: 'cats' },
      {
        concurrency: 4,
        onEvent: (event) => events.push(event),
      },
    );
    expect(summary.status).toBe('succeeded');
    expect(summary.outputs.result).toBe('join-done');
    expect(JSON.parse(String(summary.outputs.plan))).toEqual({ title: 'Cats', parts: ['a', 'b'] });

    const order = server.requests.map((r) => r.body.messages[0]?.content.split(' ')[0]);
    expect(order[0]).toBe('PLAN');
    expect(new Set(order.slice(1, 3))).toEqual(new Set(['LEFT', 'RIGHT']));
    expect(order[3]).toBe('JOIN');
    const at = (word: string) =>
      server.requests.find((r) => r.body.messages[0]?.content.startsWith(word))?.at ?? 0;
    // Both middle steps were asked before either could have answered (60 ms each).
    expect(Math.abs(at('LEFT') - at('RIGHT'))).toBeLessThan(40);
    expect(server.requests[1]?.body.messages[0]?.content).toBe('LEFT Cats');
    expect(
      server.requests.find((r) => r.body.messages[0]?.content.startsWith('RIGHT'))?.body.messages[0]
        ?.content,
    ).toBe('RIGHT Cats ["a","b"]');

    const rows = await db.prisma.execution.findMany({ where: { workflowRunId: summary.runId } });
    expect(rows.map((r) => r.stepId).sort()).toEqual(['join', 'left', 'plan', 'right']);
    const steps = await db.prisma.stepRun.findMany({ where: { runId: summary.runId } });
    expect(steps.every((s) => s.status === 'succeeded' && s.executionId)).toBe(true);
    expect(events.filter((e) => e.status === 'succeeded')).toHaveLength(4);
  });

  it('stops on a failure, skips what is left, and resumes without calling done steps again', async () => {
    const failing = new Set(['RIGHT']);
    const { server, project, workflows, db } = await setup(scripted(10, failing));
    const failed = await workflows.run(
      project,
      { text: DIAMOND },
      { topic: 'cats' },
      { concurrency: 4 },
    );
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/step "right" failed: .*400: RIGHT refused/);
    expect(Object.fromEntries(failed.steps.map((s) => [s.id, s.status]))).toEqual({
      plan: 'succeeded',
      left: 'succeeded',
      right: 'failed',
      join: 'skipped',
    });
    const callsBefore = server.requests.length;

    failing.clear();
    const resumed = await workflows.resume(failed.runId.slice(0, 6), { project, concurrency: 4 });
    expect(resumed).toMatchObject({ status: 'succeeded', resumed: true });
    const again = server.requests
      .slice(callsBefore)
      .map((r) => r.body.messages[0]?.content.split(' ')[0]);
    expect(again.sort()).toEqual(['JOIN', 'RIGHT']);
    const run = await db.prisma.workflowRun.findUniqueOrThrow({ where: { id: failed.runId } });
    expect(run.status).toBe('succeeded');

    const nothing = await workflows.resume(failed.runId, { project, concurrency: 4 });
    expect(nothing.resumed).toBe(false);
  });

  it('retries a step as configured, and fails a json step that answers no JSON', async () => {
    let calls = 0;
    const { workflows, project, db } = await setup(() => {
      calls++;
      return calls < 3 ? { status: 400, message: 'not yet' } : { content: 'no json here at all' };
    });
    const text = `name: retry
steps:
  - id: only
    template: "go"
    output: json
    retry: { attempts: 3, backoffMs: 1 }
`;
    const summary = await workflows.run(project, { text }, {}, { concurrency: 1 });
    expect(calls).toBe(3);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/the answer holds no JSON/);
    // The step names the call whose answer it could not use, in the summary and the record.
    const calls3 = await db.prisma.execution.findMany({ orderBy: { createdAt: 'asc' } });
    expect(calls3.map((c) => c.status)).toEqual(['error', 'error', 'success']);
    expect(summary.steps[0]).toMatchObject({ status: 'failed', executionId: calls3[2]?.id });
    const run = await workflows.findRun(summary.runId);
    expect(run.steps[0]).toMatchObject({ status: 'failed', executionId: calls3[2]?.id });
  });

  it('fails a step that names a field its json input lacks, naming the field', async () => {
    const { workflows, project } = await setup((body) => ({
      content: body.messages.at(-1)?.content === 'plan' ? '{"title":"T"}' : 'used',
    }));
    const text = `name: fields
steps:
  - id: plan
    template: "plan"
    output: json
  - id: use
    template: "{{steps.plan.output.title}} {{steps.plan.output.nope}}"
`;
    const summary = await workflows.run(project, { text }, {}, { concurrency: 1 });
    expect(summary.status).toBe('failed');
    expect(summary.error).toBe('step "use" failed: Missing variable "nope" at line 1, column 31');
    expect(summary.steps.map((s) => [s.id, s.status])).toEqual([
      ['plan', 'succeeded'],
      ['use', 'failed'],
    ]);
  });

  it('refuses to resume a run whose stored workflow changed, unless forced', async () => {
    const failing = new Set(['JOIN']);
    const { workflows, project } = await setup(scripted(1, failing));
    const stored = await workflows.create(project, 'diamond', DIAMOND);
    const failed = await workflows.run(project, { stored }, { topic: 'x' }, { concurrency: 2 });
    expect(failed.status).toBe('failed');
    await workflows.update(
      project,
      'diamond',
      DIAMOND.replace('name: diamond', 'name: diamond\ndescription: changed'),
    );
    failing.clear();
    await expect(workflows.resume(failed.runId, { project, concurrency: 2 })).rejects.toThrow(
      /changed since run/,
    );
    const forced = await workflows.resume(failed.runId, { project, concurrency: 2, force: true });
    expect(forced.status).toBe('succeeded');
  });

  it('checks inputs: required, typed, known', async () => {
    const { workflows, project } = await setup(scripted(1));
    const text = `name: typed
inputs:
  count: { type: number, required: true }
  flag: { type: boolean, default: false }
  topic: { type: string, required: true }
steps:
  - id: a
    template: "{{inputs.count}} {{inputs.flag}} {{inputs.topic}}"
`;
    await expect(workflows.run(project, { text }, {}, { concurrency: 1 })).rejects.toThrow(
      'Missing inputs: count, topic',
    );
    await expect(
      workflows.run(project, { text }, { count: 'many', topic: 'x' }, { concurrency: 1 }),
    ).rejects.toThrow('Input "count" must be a number');
    await expect(
      workflows.run(project, { text }, { count: '1', topic: 'x', extra: 'y' }, { concurrency: 1 }),
    ).rejects.toThrow('Unknown input: extra');
    const ok = await workflows.run(
      project,
      { text },
      { count: '2', topic: 'x', flag: 'true' },
      { concurrency: 1 },
    );
    expect(ok.status).toBe('succeeded');
  });
});
