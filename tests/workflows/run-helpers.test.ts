import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/core/templating/engine.js';
import { alive, parametersOf, templateContext } from '../../src/workflows/run-helpers.js';

describe('alive', () => {
  it('tells a running process from one that has exited', () => {
    expect(alive(process.pid)).toBe(true);
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(alive(exited)).toBe(false);
    expect(alive(null)).toBe(false);
  });
});

describe('templateContext', () => {
  it('renders a json output as JSON text and keeps its fields readable', () => {
    const values = templateContext({
      inputs: { topic: 'tides' },
      steps: { facts: { output: { count: 2, items: ['a', 'b'] } }, plain: { output: 'text' } },
    });
    const render = compileTemplate(
      '{{inputs.topic}}: {{steps.facts.output.count}} {{steps.plain.output}}\n{{steps.facts.output}}',
    );
    expect(render(values)).toBe(
      `tides: 2 text\n${JSON.stringify({ count: 2, items: ['a', 'b'] }, null, 2)}`,
    );
  });
});

describe('parametersOf', () => {
  it('keeps only the parameters that are set', () => {
    expect(parametersOf({ temperature: 0, maxTokens: undefined, seed: 3 })).toEqual({
      temperature: 0,
      seed: 3,
    });
  });
});
