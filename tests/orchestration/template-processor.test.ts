import { describe, expect, it } from 'vitest';
import { parseComplexity, parseTimeEstimate } from '../../src/orchestration/estimates.js';
import { ExtractionError, extractTemplates } from '../../src/orchestration/template-processor.js';

const ANALYSIS = 'Analyse {{featureRequest}} using:\n{{codebaseContext}}';
const IMPLEMENTATION =
  'Plan {{featureRequest}} from:\n{{analysisResults}}\n{{#if complexity}}({{complexity}}){{/if}}';

describe('extractTemplates', () => {
  it('reads tagged blocks and keeps the text around them as notes', () => {
    const answer = `Here is my plan.\n<analysis_template>\n${ANALYSIS}\n</analysis_template>\n\n<implementation_template>\n\`\`\`handlebars\n${IMPLEMENTATION}\n\`\`\`\n</implementation_template>\nNotes: do auth first.`;
    expect(extractTemplates(answer)).toEqual({
      analysisTemplate: ANALYSIS,
      implementationTemplate: IMPLEMENTATION,
      executionNotes: 'Here is my plan.\n\nNotes: do auth first.',
      format: 'tags',
    });
  });

  it('reads fenced blocks under headings that name them', () => {
    const answer = `## Analysis template\n\n\`\`\`hbs\n${ANALYSIS}\n\`\`\`\n\n### The implementation template\nUse this:\n\`\`\`\n${IMPLEMENTATION}\n\`\`\`\nRemember the migration.`;
    const result = extractTemplates(answer);
    expect(result).toMatchObject({
      analysisTemplate: ANALYSIS,
      implementationTemplate: IMPLEMENTATION,
      format: 'headings',
    });
    expect(result.executionNotes).toContain('Remember the migration.');
  });

  it('reads a JSON object, repairing it when slightly broken', () => {
    const json = JSON.stringify({
      analysis_template: ANALYSIS,
      implementation_template: IMPLEMENTATION,
      notes: 'n',
    });
    expect(extractTemplates(`\`\`\`json\n${json}\n\`\`\``)).toMatchObject({
      format: 'json',
      executionNotes: 'n',
    });
    const broken = `{"analysisTemplate": ${JSON.stringify(ANALYSIS)}, "implementationTemplate": ${JSON.stringify(IMPLEMENTATION)},}`;
    expect(extractTemplates(broken)).toMatchObject({ analysisTemplate: ANALYSIS, format: 'json' });
  });

  it.each([
    ['no templates at all', 'I think you should add auth.', /no <analysis_template>/],
    [
      'one template missing',
      `<analysis_template>${ANALYSIS}</analysis_template>`,
      /implementation template is missing/,
    ],
    [
      'an empty template',
      `<analysis_template> </analysis_template><implementation_template>${IMPLEMENTATION}</implementation_template>`,
      /analysis template is (empty|missing)/,
    ],
    [
      'a template that does not parse',
      `<analysis_template>{{#if featureRequest}}{{codebaseContext}}</analysis_template><implementation_template>${IMPLEMENTATION}</implementation_template>`,
      /analysis template does not parse/,
    ],
    [
      'a template using unknown variables',
      `<analysis_template>${ANALYSIS} {{secret}}</analysis_template><implementation_template>${IMPLEMENTATION}</implementation_template>`,
      /does not provide: secret/,
    ],
    [
      'a template using none of its inputs',
      `<analysis_template>${ANALYSIS}</analysis_template><implementation_template>Just plan {{featureRequest}}</implementation_template>`,
      /uses none of \{\{analysisResults\}\}/,
    ],
    [
      'the same template twice',
      `<analysis_template>{{featureRequest}} {{analysisResults}}</analysis_template><implementation_template>{{featureRequest}} {{analysisResults}}</implementation_template>`,
      /does not provide: analysisResults/,
    ],
  ])('refuses %s', (_name, answer, message) => {
    expect(() => extractTemplates(answer)).toThrow(ExtractionError);
    expect(() => extractTemplates(answer)).toThrow(message);
  });
});

describe('parseComplexity and parseTimeEstimate', () => {
  it.each([
    ['Complexity: medium', 'medium'],
    ['**Complexity:** High — touches auth', 'high'],
    ['- Overall complexity - low', 'low'],
    ['Complexity: moderate', 'medium'],
    ['complexity = Complex', 'high'],
    ['The complexity is unclear.', null],
    ['Complexity: unknown', null],
  ])('%j → %s', (text, expected) => {
    expect(parseComplexity(`Intro\n${text}\nMore`)).toBe(expected);
  });

  it.each([
    ['Time estimate: 2-3 days', '2-3 days'],
    ['**Estimated effort:** about 4 hours.', 'about 4 hours'],
    ['Estimate - 1 week', '1 week'],
    ['Time estimate: it depends', null],
    ['Time estimate: 3', null],
    ['No estimate given', null],
  ])('%j → %s', (text, expected) => {
    expect(parseTimeEstimate(`Intro\n${text}\n`)).toBe(expected);
  });
});
