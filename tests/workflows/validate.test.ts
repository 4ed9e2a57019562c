import { describe, expect, it } from 'vitest';
import { validateWorkflow } from '../../src/workflows/validate.js';

const VALID = `name: review
description: Outline, draft two sections, join them
inputs:
  topic: { type: string, required: true }
  tone: { type: string, default: neutral }
model: test-model
steps:
  - id: outline
    template: "Outline {{inputs.topic}} as JSON"
    output: json
    schema: { type: object, required: [title] }
  - id: intro
    template: "Intro for {{steps.outline.output.title}} in a {{inputs.tone}} tone"
  - id: body
    template: "Body for {{steps.outline.output.title}}"
    retry: { attempts: 2, backoffMs: 10 }
  - id: final
    prompt: joiner
    vars: { a: "{{steps.intro.output}}", b: "{{steps.body.output}}" }
outputs:
  article: "{{steps.final.output}}"
`;

/** A validator option that knows the stored prompts `names`, as the workflow service does. */
function storedPrompts(...names: string[]) {
  return (name: string) => (names.includes(name) ? undefined : `no stored prompt "${name}"`);
}

function problems(text: string, promptProblem?: (name: string) => string | undefined) {
  return validateWorkflow(text, { promptProblem }).problems.map(
    (p) => `${p.line}:${p.path}: ${p.message}`,
  );
}

describe('validateWorkflow', () => {
  it('accepts a valid file and derives dependencies from references', () => {
    const { workflow, problems } = validateWorkflow(VALID, {
      promptProblem: storedPrompts('joiner'),
    });
    expect(problems).toEqual([]);
    expect(
      Object.fromEntries([...(workflow?.dependencies ?? [])].map(([k, v]) => [k, [...v].sort()])),
    ).toEqual({
      outline: [],
      intro: ['outline'],
      body: ['outline'],
      final: ['body', 'intro'],
    });
    expect(workflow?.order[0]).toBe('outline');
    expect(workflow?.order.at(-1)).toBe('final');
  });

  it('reports every problem at once, with path and line', () => {
    const text = `name: broken
inputs:
  count: { type: number, default: "three" }
steps:
  - id: a
    template: "{{inputs.missing}} {{steps.ghost.output}}"
  - id: a
    template: "dup"
  - id: b
    depends_on: [nowhere]
    template: "{{steps.a.output.field}}"
  - id: c
    prompt: unknown-prompt
  - id: d
  - id: e
    template: "{{#if x}}"
    schema: { type: object }
`;
    // In the order of the file.
    expect(problems(text, storedPrompts())).toEqual([
      '3:inputs.count.default: the default is not a number',
      '6:steps[0].template: undeclared input "missing"',
      '6:steps[0].template: "steps.ghost.output" refers to no step "ghost"',
      '7:steps[1].id: duplicate step id "a"',
      '10:steps[2].depends_on[0]: unknown step "nowhere"',
      '11:steps[2].template: "steps.a.output.field" reads a field, but step "a" outputs text',
      '13:steps[3].prompt: no stored prompt "unknown-prompt"',
      '14:steps[4]: step "d" needs either a prompt or a template',
      expect.stringMatching(/^16:steps\[5\].template: Template has a syntax error at line 1/),
      '17:steps[5].schema: a schema needs output: json',
    ]);
  });

  it('checks the rest of a file whose structure has problems', () => {
    const text = `name: mixed
steps:
  - id: a
    template: "A"
    output: xml
  - id: a
    template: "again"
  - id: b
    template: "{{steps.zzz.output}} {{steps.a.output}}"
    retry: { attempts: many }
`;
    expect(problems(text)).toEqual([
      '5:steps[0].output: invalid option: expected one of "text"|"json"',
      '6:steps[1].id: duplicate step id "a"',
      '9:steps[2].template: "steps.zzz.output" refers to no step "zzz"',
      '10:steps[2].retry.attempts: expected number',
    ]);
  });

  it('names the variables a stored prompt needs that neither vars nor inputs give', () => {
    const requires = (name: string) => (name === 'joiner' ? ['a', 'b', 'c', 'topic'] : []);
    const result = validateWorkflow(VALID, {
      promptProblem: () => undefined,
      promptRequires: requires,
    });
    expect(result.problems.map((p) => `${p.line}:${p.path}: ${p.message}`)).toEqual([
      '18:steps[3].prompt: stored prompt "joiner" needs "c": give it in vars or as inputs',
    ]);
    const satisfied = validateWorkflow(VALID, {
      promptProblem: () => undefined,
      promptRequires: () => ['a', 'b', 'topic', 'tone'],
    });
    expect(satisfied.problems).toEqual([]);
  });

  it('names a cycle', () => {
    const text = `name: loop
steps:
  - id: a
    template: "{{steps.c.output}}"
  - id: b
    template: "{{steps.a.output}}"
  - id: c
    depends_on: [b]
    template: "x"
`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/dependency cycle: (a → b → c → a|b → c → a → b|c → a → b → c)/),
    ]);
  });

  it('reports structure errors from the schema with their lines', () => {
    const text = `name: bad
temperature: 7
steps:
  - id: 1st
    template: x
    output: xml
    retry: { attempts: 0 }
`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/^2:temperature: /),
      expect.stringMatching(/^4:steps\[0\]\.id: a step id starts with a letter/),
      expect.stringMatching(/^6:steps\[0\]\.output: /),
      expect.stringMatching(/^7:steps\[0\]\.retry\.attempts: /),
    ]);
    expect(problems('name: x\nsteps: []\n')).toEqual([
      '2:steps: a workflow needs at least one step',
    ]);
    expect(problems('name: [oops\n')[0]).toMatch(/^\d+:\(file\): not valid YAML/);
    expect(problems('name: x\nsteps:\n  - id: a\n    template: 5\n')).toEqual([
      '4:steps[0].template: expected string',
    ]);
  });
});
