// Reads the two phase templates out of the plan answer. Tried in order: tagged blocks
// (<analysis_template>…), fenced blocks under headings naming them, a JSON object with both
// keys (repaired when slightly broken). Each template must parse as Handlebars, be non-empty,
// differ from the other and use the variables its phase provides.
import { jsonrepair } from 'jsonrepair';
import { analyzeTemplate, TemplateSyntaxError } from '../core/templating/engine.js';
import { PHASE_VARIABLES } from './phase-templates.js';

export interface ExtractedTemplates {
  analysisTemplate: string;
  implementationTemplate: string;
  /** The text around the templates: the model's notes for the later phases. */
  executionNotes: string;
  /** Which form the answer used. */
  format: 'tags' | 'headings' | 'json';
}

/** A phase template must use at least one of these of the variables its phase provides. */
const REQUIRED_VARIABLES = {
  analysis: ['featureRequest', 'codebaseContext'],
  implementation: ['analysisResults'],
} as const;

export class ExtractionError extends Error {}

type Candidate = {
  analysis?: string;
  implementation?: string;
  notes: string;
  format: ExtractedTemplates['format'];
};

function fromTags(answer: string): Candidate | null {
  const tag = (name: string) =>
    new RegExp(`<${name}>\\s*([\\s\\S]*?)\\s*</${name}>`, 'i').exec(answer);
  const analysis = tag('analysis_template');
  const implementation = tag('implementation_template');
  if (!analysis && !implementation) return null;
  let notes = answer;
  for (const match of [analysis, implementation]) if (match) notes = notes.replace(match[0], '');
  return {
    analysis: analysis?.[1] && unfence(analysis[1]),
    implementation: implementation?.[1] && unfence(implementation[1]),
    notes,
    format: 'tags',
  };
}

/** A block's content without a fence around the whole of it. */
function unfence(text: string): string {
  const fenced = /^```[\w-]*\n([\s\S]*?)\n```$/.exec(text.trim());
  return (fenced?.[1] ?? text).trim();
}

function fromHeadings(answer: string): Candidate | null {
  const block = (word: string) =>
    new RegExp(
      `^#{1,6}[^\\n]*${word}[^\\n]*\\n+(?:[^\\n\`]*\\n+)*?(\`{3,})[\\w-]*\\n([\\s\\S]*?)\\n\\1`,
      'im',
    ).exec(answer);
  const analysis = block('analysis');
  const implementation = block('implementation');
  if (!analysis && !implementation) return null;
  let notes = answer;
  for (const match of [analysis, implementation]) if (match) notes = notes.replace(match[0], '');
  return {
    analysis: analysis?.[2]?.trim(),
    implementation: implementation?.[2]?.trim(),
    notes,
    format: 'headings',
  };
}

function fromJson(answer: string): Candidate | null {
  const start = answer.indexOf('{');
  if (start < 0) return null;
  const end = answer.lastIndexOf('}');
  const text = answer.slice(start, end > start ? end + 1 : undefined);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(jsonrepair(text));
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  const pick = (...keys: string[]) => {
    const found = keys.map((key) => record[key]).find((v) => typeof v === 'string');
    return typeof found === 'string' ? found.trim() : undefined;
  };
  const analysis = pick('analysis_template', 'analysisTemplate', 'analysis');
  const implementation = pick(
    'implementation_template',
    'implementationTemplate',
    'implementation',
  );
  if (!analysis && !implementation) return null;
  const notes =
    pick('notes', 'execution_notes', 'executionNotes') ??
    answer.slice(0, start) + answer.slice(end + 1);
  return { analysis, implementation, notes, format: 'json' };
}

function check(name: 'analysis' | 'implementation', template: string | undefined): string {
  const label = `the ${name} template`;
  if (template === undefined) throw new ExtractionError(`${label} is missing`);
  if (template.trim() === '') throw new ExtractionError(`${label} is empty`);
  let used: string[];
  try {
    used = analyzeTemplate(template, `${name} template`).variables.map((v) => v.name);
  } catch (error) {
    if (error instanceof TemplateSyntaxError)
      throw new ExtractionError(`${label} does not parse: ${error.reason}`);
    throw error;
  }
  const provided: readonly string[] = PHASE_VARIABLES[name];
  const required = REQUIRED_VARIABLES[name];
  const unknown = used.filter((variable) => !provided.includes(variable));
  if (unknown.length > 0) {
    throw new ExtractionError(
      `${label} uses variables its phase does not provide: ${unknown.join(', ')}`,
    );
  }
  if (!required.some((variable) => used.includes(variable))) {
    throw new ExtractionError(
      `${label} uses none of ${required.map((v) => `{{${v}}}`).join(', ')}`,
    );
  }
  return template;
}

/** The templates of a plan answer, or an ExtractionError saying what is wrong. */
export function extractTemplates(answer: string): ExtractedTemplates {
  const candidate = fromTags(answer) ?? fromHeadings(answer) ?? fromJson(answer);
  if (!candidate) {
    throw new ExtractionError(
      'the answer has no <analysis_template> and <implementation_template> blocks',
    );
  }
  const analysisTemplate = check('analysis', candidate.analysis);
  const implementationTemplate = check('implementation', candidate.implementation);
  if (analysisTemplate.trim() === implementationTemplate.trim()) {
    throw new ExtractionError('the two templates are the same');
  }
  return {
    analysisTemplate,
    implementationTemplate,
    executionNotes: candidate.notes.replace(/\n{3,}/g, '\n\n').trim(),
    format: candidate.format,
  };
}
