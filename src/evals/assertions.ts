// What an answer must satisfy. Each assertion gives a pass, a score from 0 to 1 and a reason;
// `not-<type>` negates one, `weight` sets its share of the cell's score (1 by default) and
// `threshold` the score it must reach (for the scored ones). A cell passes when every
// assertion passes.
import { pathToFileURL } from 'node:url';
import type { AssertionSpec } from './eval-file.js';
import { factualityCall, type Grade, parseVerdict, rubricCall } from './graders.js';
import { evalFilePath } from './paths.js';

export const ASSERTION_TYPES = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'starts-with',
  'regex',
  'is-json',
  'json-schema',
  'json-path',
  'levenshtein',
  'length',
  'word-count',
  'latency',
  'cost',
  'javascript',
  'llm-rubric',
  'factuality',
  'select-best',
] as const;

/** Assertions a grader model judges: an eval that uses one names its grader. */
export const GRADED_TYPES = ['llm-rubric', 'factuality', 'select-best'];

/** Whether an assertion is judged across the variants of a case, not on one answer. */
export function isAcrossVariants(spec: AssertionSpec): boolean {
  return spec.type.replace(/^not-/, '') === 'select-best';
}

type AssertionType = (typeof ASSERTION_TYPES)[number];

export interface AssertionOutcome {
  type: string;
  pass: boolean;
  score: number;
  reason: string;
  weight: number;
}

export interface AnswerContext {
  output: string;
  /** The parsed answer of a prompt with structured output. */
  data?: unknown;
  vars: Record<string, unknown>;
  latencyMs: number | null;
  costUsd: number | null;
  /** The eval file's folder: `javascript` files are found from it. */
  baseDir: string;
  /** The folder files named by the eval must be in (evals/paths.ts). */
  root: string;
  /** A real dynamic import (the built CLI is one CommonJS file, which has none). */
  importModule: (url: string) => Promise<unknown>;
  /** The grader model, for model-graded assertions. */
  grade?: Grade;
  /** The prompt the answer was given (what `factuality` judges it as an answer to). */
  question?: string;
}

export interface Verdict {
  pass: boolean;
  score?: number;
  reason: string;
}

function split(type: string): { negated: boolean; base: string } {
  return type.startsWith('not-')
    ? { negated: true, base: type.slice(4) }
    : { negated: false, base: type };
}

const needs: Partial<Record<AssertionType, (a: AssertionSpec) => string | undefined>> = {
  equals: (a) => (a.value === undefined ? 'needs a value' : undefined),
  contains: (a) => (typeof a.value === 'string' ? undefined : 'needs a text value'),
  icontains: (a) => (typeof a.value === 'string' ? undefined : 'needs a text value'),
  'starts-with': (a) => (typeof a.value === 'string' ? undefined : 'needs a text value'),
  'contains-any': (a) => (isTexts(a.value) ? undefined : 'needs a list of texts as its value'),
  'contains-all': (a) => (isTexts(a.value) ? undefined : 'needs a list of texts as its value'),
  regex: (a) => {
    if (typeof a.value !== 'string') return 'needs a pattern as its value';
    try {
      new RegExp(a.value);
      return undefined;
    } catch (error) {
      return `has an invalid pattern: ${(error as Error).message}`;
    }
  },
  'json-schema': (a) =>
    a.value && typeof a.value === 'object' ? undefined : 'needs a JSON schema as its value',
  'json-path': (a) =>
    a.path === undefined || a.value === undefined ? 'needs a path and a value' : undefined,
  levenshtein: (a) =>
    typeof a.value !== 'string' || a.max === undefined
      ? 'needs a text value and max (the largest distance allowed)'
      : undefined,
  length: (a) =>
    a.min === undefined && a.max === undefined ? 'needs min, max or both' : undefined,
  'word-count': (a) =>
    a.min === undefined && a.max === undefined ? 'needs min, max or both' : undefined,
  latency: (a) => (a.max === undefined ? 'needs max (milliseconds)' : undefined),
  cost: (a) => (a.max === undefined ? 'needs max (USD)' : undefined),
  javascript: (a) => (a.file ? undefined : 'needs file: the module that checks the answer'),
  'llm-rubric': (a) => (typeof a.value === 'string' ? undefined : 'needs the rubric as its value'),
  factuality: (a) =>
    typeof a.value === 'string' ? undefined : 'needs the reference answer as its value',
  'select-best': (a) =>
    typeof a.value === 'string' ? undefined : 'needs what makes an answer best as its value',
};

/** What is wrong with an assertion as written, if anything. */
export function assertionProblem(spec: AssertionSpec): string | undefined {
  const { base } = split(spec.type);
  if (!(ASSERTION_TYPES as readonly string[]).includes(base)) {
    return `unknown assertion type "${spec.type}" (known: ${ASSERTION_TYPES.join(', ')}, each also as not-<type>)`;
  }
  const problem = needs[base as AssertionType]?.(spec);
  return problem ? `${spec.type} ${problem}` : undefined;
}

function isTexts(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 57))}…` : JSON.stringify(text);
};

/** The answer's JSON: the structured answer when the prompt has one, else the text parsed. */
function parseJson(
  output: string,
  data?: unknown,
): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (data !== undefined) return { ok: true, value: data };
  try {
    return { ok: true, value: JSON.parse(output) };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

function bounds(count: number, spec: AssertionSpec, unit: string): Verdict {
  const low = spec.min === undefined || count >= spec.min;
  const high = spec.max === undefined || count <= spec.max;
  const range = `${spec.min ?? 0}–${spec.max ?? '∞'}`;
  return { pass: low && high, reason: `${count} ${unit} (allowed ${range})` };
}

async function judge(spec: AssertionSpec, base: AssertionType, context: AnswerContext) {
  const { output } = context;
  const value = spec.value;
  switch (base) {
    case 'equals': {
      const same =
        typeof value === 'string'
          ? output === value
          : sameValue(context.data !== undefined ? context.data : parseLoose(output), value);
      return { pass: same, reason: same ? 'equal' : `expected ${shown(value)}` };
    }
    case 'contains':
    case 'icontains': {
      const fold = base === 'icontains' ? (s: string) => s.toLowerCase() : (s: string) => s;
      const found = fold(output).includes(fold(value as string));
      return { pass: found, reason: `${found ? 'contains' : 'does not contain'} ${shown(value)}` };
    }
    case 'contains-any':
    case 'contains-all': {
      const texts = value as string[];
      const found = texts.filter((text) => output.includes(text));
      const pass = base === 'contains-any' ? found.length > 0 : found.length === texts.length;
      return {
        pass,
        score: found.length / texts.length,
        reason: `contains ${found.length} of ${texts.length}`,
      };
    }
    case 'starts-with': {
      const pass = output.startsWith(value as string);
      return { pass, reason: `${pass ? 'starts' : 'does not start'} with ${shown(value)}` };
    }
    case 'regex': {
      const pass = new RegExp(value as string).test(output);
      return { pass, reason: `${pass ? 'matches' : 'does not match'} /${value}/` };
    }
    case 'is-json': {
      const parsed = parseJson(output, context.data);
      return { pass: parsed.ok, reason: parsed.ok ? 'valid JSON' : parsed.reason };
    }
    case 'json-schema': {
      const parsed = parseJson(output, context.data);
      if (!parsed.ok) return { pass: false, reason: parsed.reason };
      const { Ajv } = await import('ajv');
      const validate = new Ajv({ allErrors: true, strict: false }).compile(value as object);
      const pass = validate(parsed.value) === true;
      const first = validate.errors?.[0];
      return {
        pass,
        reason: pass ? 'matches the schema' : `${first?.instancePath || '/'} ${first?.message}`,
      };
    }
    case 'json-path': {
      const parsed = parseJson(output, context.data);
      if (!parsed.ok) return { pass: false, reason: parsed.reason };
      const { JSONPath } = await import('jsonpath-plus');
      const found = JSONPath({
        path: spec.path as string,
        json: parsed.value as object,
        eval: false,
        wrap: false,
      });
      const pass = sameValue(found, value);
      return {
        pass,
        reason: `${spec.path} is ${shown(found ?? null)}${pass ? '' : `, expected ${shown(value)}`}`,
      };
    }
    case 'levenshtein': {
      const { distance } = await import('fastest-levenshtein');
      const d = distance(output, value as string);
      const max = spec.max as number;
      return {
        pass: d <= max,
        score: Math.max(0, 1 - d / Math.max(output.length, (value as string).length, 1)),
        reason: `distance ${d} (allowed ${max})`,
      };
    }
    case 'length':
      return bounds([...output].length, spec, 'characters');
    case 'word-count':
      return bounds(output.split(/\s+/).filter(Boolean).length, spec, 'words');
    case 'latency':
      return context.latencyMs === null
        ? { pass: false, reason: 'no latency recorded' }
        : {
            pass: context.latencyMs <= (spec.max as number),
            reason: `${context.latencyMs} ms (allowed ${spec.max})`,
          };
    case 'cost':
      return context.costUsd === null
        ? { pass: false, reason: 'no cost known for the model (add it with config set pricing)' }
        : {
            pass: context.costUsd <= (spec.max as number),
            reason: `$${context.costUsd} (allowed $${spec.max})`,
          };
    case 'javascript':
      return runJavascript(spec.file as string, context);
    case 'select-best':
      throw new Error('select-best is judged across the variants of a case');
    case 'llm-rubric':
    case 'factuality': {
      if (!context.grade) throw new Error('no grader: name one with grader: in the eval file');
      const call =
        base === 'llm-rubric'
          ? rubricCall(value as string, output)
          : factualityCall(value as string, output, context.question ?? '');
      return parseVerdict(await context.grade(call));
    }
  }
}

/** The outcome of an assertion whose verdict was reached elsewhere (select-best). */
export function outcomeOf(spec: AssertionSpec, verdict: Verdict): AssertionOutcome {
  const { negated } = split(spec.type);
  let score = verdict.score ?? (verdict.pass ? 1 : 0);
  let pass = verdict.pass;
  if (negated) {
    score = 1 - score;
    pass = !pass;
  }
  if (spec.threshold !== undefined) pass = score >= spec.threshold;
  const reason = negated ? `not: ${verdict.reason}` : verdict.reason;
  return { type: spec.type, pass, score, reason, weight: spec.weight ?? 1 };
}

/** Runs an assertion on an answer; a check that throws is a failed assertion, not a crash. */
export async function evaluate(
  spec: AssertionSpec,
  context: AnswerContext,
): Promise<AssertionOutcome> {
  const { base } = split(spec.type);
  let verdict: Verdict;
  try {
    const judged = spec.field ? await fieldContext(spec.field, context) : context;
    verdict = await judge(spec, base as AssertionType, judged);
  } catch (error) {
    // Negated or not, a check that could not run has not passed.
    const reason = `the check failed: ${(error as Error).message}`;
    return { type: spec.type, pass: false, score: 0, reason, weight: spec.weight ?? 1 };
  }
  return outcomeOf(spec, verdict);
}

/** The context of an assertion on one field of the answer's JSON: that field is the answer. */
async function fieldContext(field: string, context: AnswerContext): Promise<AnswerContext> {
  const parsed = parseJson(context.output, context.data);
  if (!parsed.ok) throw new Error(`field ${field}: the answer is ${parsed.reason}`);
  const { JSONPath } = await import('jsonpath-plus');
  const path = field.startsWith('$') ? field : `$.${field}`;
  const value = JSONPath({ path, json: parsed.value as object, eval: false, wrap: false });
  if (value === undefined) throw new Error(`the answer has no field ${field}`);
  const output = typeof value === 'string' ? value : JSON.stringify(value);
  return { ...context, output, data: typeof value === 'string' ? undefined : value };
}

async function runJavascript(file: string, context: AnswerContext): Promise<Verdict> {
  const path = evalFilePath(context.root, context.baseDir, file, 'javascript check');
  const loaded = (await context.importModule(pathToFileURL(path).href)) as Record<string, unknown>;
  const check = [loaded.default, ...Object.values(loaded)].find((v) => typeof v === 'function') as
    | ((output: string, context: object) => unknown)
    | undefined;
  if (!check) throw new Error(`${file} exports no function`);
  const result = await check(context.output, {
    vars: context.vars,
    latencyMs: context.latencyMs,
    costUsd: context.costUsd,
  });
  if (typeof result === 'boolean') return { pass: result, reason: `${file} returned ${result}` };
  if (typeof result === 'number') {
    return { pass: result >= 0.5, score: clamp(result), reason: `${file} scored ${result}` };
  }
  if (result && typeof result === 'object' && 'pass' in result) {
    const { pass, score, reason } = result as { pass: unknown; score?: unknown; reason?: unknown };
    return {
      pass: pass === true,
      ...(typeof score === 'number' ? { score: clamp(score) } : {}),
      reason: typeof reason === 'string' ? reason : `${file} returned pass: ${pass}`,
    };
  }
  throw new Error(
    `${file} returned ${shown(result)}, not a boolean, a number or {pass, score, reason}`,
  );
}

function clamp(score: number): number {
  return Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
}

/** The answer as JSON when it is JSON, else as text (for `equals` of a non-text value). */
function parseLoose(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    return output;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
