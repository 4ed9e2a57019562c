import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import {
  analyzeTemplate,
  MissingVariablesError,
  parseTemplate,
  renderTemplate,
  TemplateSyntaxError,
} from '../../../src/core/templating/engine.js';

function variables(source: string) {
  return analyzeTemplate(source).variables;
}

describe('renderTemplate', () => {
  it('does not HTML-escape and never compiles a value as a template', () => {
    const out = renderTemplate('Q: {{question}} | {{{question}}}', {
      question: '<b>"R&D"</b> {{secret}}',
    });
    expect(out).toBe('Q: <b>"R&D"</b> {{secret}} | <b>"R&D"</b> {{secret}}');
  });

  it('names every missing variable in one error', () => {
    expect(() => renderTemplate('{{a}} {{b.c}} {{#each items}}{{x}}{{/each}} {{a}}', {})).toThrow(
      'Missing variables: "a", "b", "items"',
    );
    try {
      renderTemplate('{{only}}', {});
    } catch (error) {
      expect(error).toBeInstanceOf(MissingVariablesError);
      expect((error as MissingVariablesError).exitCode).toBe(2);
      expect((error as MissingVariablesError).message).toBe('Missing variable: "only"');
    }
  });

  it('reports a missing nested field with its location', () => {
    expect(() => renderTemplate('Hi\n{{user.name}}', { user: {} })).toThrow(
      'Missing variable "name" at line 2, column 3',
    );
    // An object that prints over several lines (a json step's output) is named the same way.
    const user = { title: 'x' };
    Object.defineProperty(user, 'toString', { value: () => JSON.stringify(user, null, 2) });
    const render = () => renderTemplate('{{user.name}}', { user });
    expect(render).toThrow(ValidationError);
    expect(render).toThrow('Missing variable "name" at line 1, column 3');
  });

  it('leaves tested and defaulted variables optional', () => {
    const source = '{{#if vip}}VIP {{/if}}{{#unless quiet}}!{{/unless}}{{default nick "anon"}}';
    expect(renderTemplate(source, {})).toBe('!anon');
    expect(renderTemplate(source, { vip: true, quiet: true, nick: 'Ann' })).toBe('VIP Ann');
  });

  it('checks a variable inside a branch only when the branch runs', () => {
    const source = '{{#if vip}}Level {{level}}{{/if}}';
    expect(renderTemplate(source, { vip: false })).toBe('');
    expect(() => renderTemplate(source, { vip: true })).toThrow(/Missing variable "level"/);
  });

  it('renders partials and reports one that is missing', () => {
    const out = renderTemplate(
      'Start {{> greeting}} end',
      { name: 'Ada' },
      {
        partials: { greeting: 'Hello {{name}}' },
      },
    );
    expect(out).toBe('Start Hello Ada end');
    expect(() =>
      renderTemplate('{{> greeting}}', {}, { partials: { greeting: 'Hi {{who}}' } }),
    ).toThrow('Missing variable: "who"');
    expect(() => renderTemplate('{{> nowhere}}', {})).toThrow('Partial "nowhere" not found');
  });

  it('keeps non-ASCII text byte for byte', () => {
    const source = 'Emoji 🚀 CJK 漢字 RTL שלום مرحبا {{x}}';
    expect(renderTemplate(source, { x: 'Ünïcödé ✓' })).toBe(
      'Emoji 🚀 CJK 漢字 RTL שלום مرحبا Ünïcödé ✓',
    );
  });
});

describe('compiling from the parsed tree', () => {
  it('renders standalone blocks and partials the same every time the tree is reused', () => {
    const source =
      'Items:\n{{#each items}}\n  - {{this}}\n{{/each}}\n{{#if note}}\n{{> footer}}\n{{/if}}\nend';
    const partials = { footer: '{{#if note}}\n(note: {{note}})\n{{/if}}\n' };
    const expected = 'Items:\n  - a\n  - b\n(note: n)\nend';
    for (let i = 0; i < 3; i++) {
      expect(renderTemplate(source, { items: ['a', 'b'], note: 'n' }, { partials })).toBe(expected);
    }
  });
});

describe('helpers', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['{{json data}}', { data: { a: [1, 2] } }, '{"a":[1,2]}'],
    ['{{json data indent=2}}', { data: { a: [1] } }, '{\n  "a": [\n    1\n  ]\n}'],
    ['{{json data 2}}', { data: { a: 1 } }, '{\n  "a": 1\n}'],
    ['{{json data 0}}', { data: { a: 1 } }, '{"a":1}'],
    ['{{#ifEquals a 1}}one{{else}}other{{/ifEquals}}', { a: 1 }, 'one'],
    ['{{#ifEquals a 1}}one{{else}}other{{/ifEquals}}', { a: '1' }, 'other'],
    ['{{#unlessEquals a 1}}not one{{/unlessEquals}}', { a: 2 }, 'not one'],
    ['{{@state.n}}|{{@auth.user.name}}|{{#if @state.x}}x{{/if}}', {}, '||'],
    ['{{indent text 4}}', { text: 'a\n\nb' }, '    a\n\n    b'],
    ['{{#indent 2}}x: {{v}}\ny{{/indent}}', { v: 1 }, '  x: 1\n  y'],
    ['{{join tags}}', { tags: ['a', 'b'] }, 'a, b'],
    ['{{join tags " | "}}', { tags: ['a', 'b'] }, 'a | b'],
    ['{{default name "none"}}', { name: '' }, 'none'],
    ['{{default name "none"}}', { name: 'Bo' }, 'Bo'],
    ['{{#if (eq role "admin")}}yes{{else}}no{{/if}}', { role: 'admin' }, 'yes'],
    ['{{#if (eq role "admin")}}yes{{else}}no{{/if}}', { role: 'user' }, 'no'],
    ['[{{trim text}}]', { text: '  x  ' }, '[x]'],
    ['{{uppercase text}} {{lowercase text}}', { text: 'MiXed' }, 'MIXED mixed'],
    ['{{date when}}', { when: '2024-02-29T12:00:00Z' }, '2024-02-29'],
  ];
  it.each(cases)('%s', (source, vars, expected) => {
    expect(renderTemplate(source, vars)).toBe(expected);
  });

  it('dates today without an argument', () => {
    expect(renderTemplate('{{date}}', {})).toBe(new Date().toISOString().slice(0, 10));
    expect(renderTemplate('{{date "iso"}}', {})).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('analyzeTemplate', () => {
  it('lists top-level variables, not helpers, @data or block-relative paths', () => {
    const source = [
      'Hi {{name}} {{uppercase shout}} {{@index}}',
      '{{#each items}}{{title}} {{../owner}} {{@root.tenant}}{{/each}}',
      '{{#with user}}{{email}}{{/with}}',
      '{{#each rows as |row|}}{{row.cell}}{{/each}}',
      '{{#if vip}}{{perk}}{{/if}} {{default nick "x"}} {{json (lookup map key)}}',
    ].join('\n');
    expect(variables(source)).toEqual([
      { name: 'name', required: true },
      { name: 'shout', required: true },
      { name: 'items', required: true },
      { name: 'owner', required: false },
      { name: 'tenant', required: false },
      { name: 'user', required: true },
      { name: 'rows', required: true },
      { name: 'vip', required: false },
      { name: 'perk', required: false },
      { name: 'nick', required: false },
      { name: 'map', required: true },
      { name: 'key', required: true },
    ]);
  });

  it('counts a variable once, required if any use requires it', () => {
    expect(variables('{{#if x}}{{/if}}{{x}}')).toEqual([{ name: 'x', required: true }]);
  });

  it('lists partials, including inside blocks', () => {
    const { partials } = analyzeTemplate('{{> header}}{{#if a}}{{> footer-part}}{{/if}}');
    expect(partials).toEqual(['header', 'footer-part']);
  });
});

describe('parseTemplate errors', () => {
  const cases: [string, RegExp][] = [
    ['ok\n  {{#if a}}x{{/if}', /line 2, column 16: unexpected '}', expected '}}'/],
    ['{{#if a}}never closed', /line 1, column 10: a block is not closed/],
    ['{{#if a}}x{{/each}}', /line 1, column 4: if doesn't match each/],
    ['Hello {{name', /line 1, column \d+: unexpected/],
  ];
  it.each(cases)('locates the error in %j', (source, message) => {
    expect(() => parseTemplate(source, 'greet')).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate(source, 'greet')).toThrow(message);
    expect(() => parseTemplate(source, 'greet')).toThrow(/^Template "greet" has a syntax error/);
  });
});

describe('templates that fail or print while rendering', () => {
  it('turns a failure of the template into a validation error, not a crash', () => {
    expect(() => renderTemplate('{{#each}}x{{/each}}', {})).toThrow(ValidationError);
    expect(() => renderTemplate('{{#each}}x{{/each}}', {})).toThrow(
      /^The template cannot be rendered: Must pass iterator to #each/,
    );
    for (const template of [
      '{{*foo}}x',
      '{{lookup}}',
      '{{helperMissing "x"}}',
      '{{id.__proto__}}',
    ]) {
      expect(() => renderTemplate(template, { id: 'a' }), template).toThrow(
        /^The template cannot be rendered: /,
      );
    }
  });

  it('renders {{log}} as nothing and prints nothing', () => {
    const writes: unknown[] = [];
    const log = console.log;
    const info = console.info;
    console.log = (...args: unknown[]) => writes.push(args);
    console.info = (...args: unknown[]) => writes.push(args);
    try {
      expect(renderTemplate('a{{log "secret" this}}b', { key: 'v' })).toBe('ab');
    } finally {
      console.log = log;
      console.info = info;
    }
    expect(writes).toEqual([]);
  });
});
