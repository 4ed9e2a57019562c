// The engine's own verdict on a run, without a database or a model.
import { describe, expect, it } from 'vitest';
import { runEngine, type StepEvent } from '../../src/workflows/engine.js';
import { validateWorkflow } from '../../src/workflows/validate.js';

const CHAIN = `name: chain
steps:
  - id: first
    template: "FIRST"
  - id: second
    template: "SECOND {{steps.first.output}}"
`;

function chain() {
  const { workflow } = validateWorkflow(CHAIN);
  if (!workflow) throw new Error('the test workflow is invalid');
  return workflow;
}

describe('runEngine', () => {
  it('a run in which no step could start is failed, not succeeded, its steps skipped', async () => {
    const events: StepEvent[] = [];
    const calls: string[] = [];
    const result = await runEngine({
      workflow: chain(),
      inputs: {},
      concurrency: 0,
      runStep: async (step) => {
        calls.push(step.id);
        return { output: 'x', executionId: null, inputTokens: null, outputTokens: null };
      },
      onEvent: (event) => {
        events.push(event);
      },
    });
    expect(calls).toEqual([]);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('2 steps could not start: first, second');
    expect(events.map((e) => [e.stepId, e.status])).toEqual([
      ['first', 'skipped'],
      ['second', 'skipped'],
    ]);
  });

  it('a run whose steps all ran succeeds', async () => {
    const result = await runEngine({
      workflow: chain(),
      inputs: {},
      concurrency: 1,
      runStep: async (step) => ({
        output: `${step.id} done`,
        executionId: null,
        inputTokens: null,
        outputTokens: null,
      }),
      onEvent: () => undefined,
    });
    expect(result).toMatchObject({ status: 'succeeded', error: null });
    expect([...result.outputs]).toEqual([
      ['first', 'first done'],
      ['second', 'second done'],
    ]);
  });
});
