import { describe, expect, it } from 'vitest';
import { answerSchema, checkCandidates, optimizerMessages } from '../../src/optimize/candidates.js';

const parent = {
  body: 'Summarise {{text}} for {{audience}}.',
  system: null,
  variables: ['text', 'audience'],
};

describe('checkCandidates', () => {
  it('keeps rewrites that use exactly the declared variables, and says why it refuses the others', () => {
    const { accepted, refused } = checkCandidates(parent, [
      {
        body: 'In three bullet points, summarise {{text}} for {{audience}}.',
        rationale: 'shorter',
      },
      { body: 'Summarise {{text}}.', rationale: 'drops one' },
      { body: 'Summarise {{text}} for {{audience}} in {{language}}.', rationale: 'adds one' },
      { body: 'Summarise {{text}', rationale: 'broken' },
      { body: '  ', rationale: 'empty' },
      { body: 'Summarise {{text}} for {{audience}}.', rationale: 'same' },
      { body: 'In three bullet points, summarise {{text}} for {{audience}}.', rationale: 'twice' },
      { body: '{{#if audience}}For {{audience}}: {{/if}}summarise {{text}}.', rationale: 'if' },
    ]);
    expect(accepted.map((c) => [c.rationale, c.index])).toEqual([
      ['shorter', 0],
      ['if', 7],
    ]);
    expect(refused).toEqual([
      { index: 1, reason: 'drops declared variables: audience' },
      { index: 2, reason: 'uses undeclared variables: language' },
      { index: 3, reason: expect.stringMatching(/^the template does not parse: /) },
      { index: 4, reason: 'the template is empty' },
      { index: 5, reason: 'the same as the parent or another candidate' },
      { index: 6, reason: 'the same as the parent or another candidate' },
    ]);
  });
});

describe('optimizerMessages', () => {
  it('shows the template, its variables and the failed training cases, and asks for K rewrites', () => {
    const failures = Array.from({ length: 25 }, (_, i) => ({
      id: `c${i}`,
      vars: { text: `t${i}` },
      output: i === 0 ? 'x'.repeat(5000) : `answer ${i}`,
      reasons: ['does not contain "bullet"'],
    }));
    const { system, user } = optimizerMessages({ ...parent, failures, candidates: 3 });
    expect(system).toContain('Propose 3 different rewrites');
    expect(system).toContain('{{text}}, {{audience}}');
    expect(user).toContain('Summarise {{text}} for {{audience}}.');
    expect(user).toContain('## Failing cases (25)');
    expect(user).toContain('### Case c19');
    expect(user).not.toContain('### Case c20');
    expect(user).toContain('…and 5 more like these.');
    expect(user).toContain(`${'x'.repeat(2000)}…`);
    expect(user).not.toContain('x'.repeat(2001));
    expect(answerSchema()).toMatchObject({
      properties: { candidates: { minItems: 1, items: { required: ['body', 'rationale'] } } },
    });
  });
});

describe('a prompt with a system text', () => {
  const withSystem = {
    body: 'Text: {{text}}',
    system: 'You write for {{audience}}.',
    variables: ['text', 'audience'],
  };

  it('checks the variables over both texts, and keeps the system text a rewrite leaves out', () => {
    const { accepted, refused } = checkCandidates(withSystem, [
      { body: 'Summarise: {{text}}', rationale: 'body only' },
      { body: 'Text: {{text}}', system: 'Write for {{audience}}, briefly.', rationale: 'system' },
      { body: 'Text: {{text}}', system: 'Write briefly.', rationale: 'drops audience' },
      { body: 'Text: {{text}}', system: '{{#if}}', rationale: 'broken system' },
    ]);
    expect(accepted).toEqual([
      {
        body: 'Summarise: {{text}}',
        system: 'You write for {{audience}}.',
        rationale: 'body only',
        index: 0,
      },
      {
        body: 'Text: {{text}}',
        system: 'Write for {{audience}}, briefly.',
        rationale: 'system',
        index: 1,
      },
    ]);
    expect(refused).toEqual([
      { index: 2, reason: 'drops declared variables: audience' },
      { index: 3, reason: expect.stringMatching(/^the system text does not parse: /) },
    ]);
    const { user, system } = optimizerMessages({ ...withSystem, failures: [], candidates: 2 });
    expect(user).toContain('## System text');
    expect(system).toContain('rewrite either or both');
    expect(answerSchema(true)).toMatchObject({
      properties: { candidates: { items: { required: ['body', 'system', 'rationale'] } } },
    });
  });
});

describe('what a rewrite may not bring in', () => {
  const withMedia = {
    body: 'Describe {{media url=photo}} for {{name}}.',
    system: null,
    variables: ['photo', 'name'],
  };

  it('refuses media in any form the parent does not use, and keeps the parent’s own', () => {
    const forms = [
      '{{#media url="secret.txt"}}{{/media}}',
      '{{default (media url="secret.txt") ""}}',
      '{{& media url="secret.txt"}}',
      '{{[media] url="secret.txt"}}',
      '{{media url="secret.txt" x="}"}}',
      '{{#if name}}{{else media url="secret.txt"}}{{/if}}',
      '{{~media url=photo contentType="text/plain"~}}',
    ];
    const { accepted, refused } = checkCandidates(withMedia, [
      ...forms.map((form) => ({ body: `${withMedia.body} ${form}`, rationale: form })),
      { body: 'For {{name}}: {{~media url=photo~}} described.', rationale: 'same media' },
    ]);
    expect(refused.map((r) => r.reason)).toEqual(
      forms.map(() => 'adds media (`{{media …}}`) the prompt does not have'),
    );
    expect(accepted.map((c) => c.rationale)).toEqual(['same media']);
  });

  it('refuses a rewrite an earlier round already tried', () => {
    const parent = { body: 'Say {{x}}.', system: null, variables: ['x'] };
    const { accepted, refused } = checkCandidates(
      parent,
      [
        { body: 'Say {{x}}!', rationale: 'again' },
        { body: 'Say {{x}}?', rationale: 'new' },
      ],
      [{ body: ' Say {{x}}! ', system: null }],
    );
    expect(refused).toEqual([{ index: 0, reason: 'already tried in an earlier round' }]);
    expect(accepted.map((c) => c.rationale)).toEqual(['new']);
  });
});
