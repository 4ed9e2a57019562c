// The eval file: YAML checked with zod, every problem reported with its path and line. It
// names the prompts (stored ones by reference, or `.prompt` files), the models, the cases
// (inline and from a dataset file) and what each answer must satisfy.
import { ValidationError } from '../core/errors.js';
import { type FileProblem, formatPath, type PathPart, readYamlFile } from '../core/yaml-file.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';
import { ASSERTION_TYPES, assertionProblem, GRADED_TYPES } from './assertions.js';

const assertionSchema = z.object({
  type: z.string().check(z.minLength(1)),
  value: z.optional(z.unknown()),
  path: z.optional(z.string()),
  min: z.optional(z.number()),
  max: z.optional(z.number()),
  file: z.optional(z.string()),
  threshold: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  weight: z.optional(z.number().check(z.minimum(0))),
  /** A field of the answer's JSON (`title`, `items[0].price`) the assertion judges instead. */
  field: z.optional(z.string().check(z.minLength(1))),
});

const varsSchema = z.record(z.string(), z.unknown());

const caseSchema = z.object({
  id: z.optional(z.string().check(z.minLength(1))),
  description: z.optional(z.string()),
  vars: z.optional(varsSchema),
  /** Earlier turns of the conversation (OpenAI or Dotprompt messages). */
  history: z.optional(z.array(z.unknown())),
  assert: z.optional(z.array(assertionSchema)),
});

const modelSchema = z.union([
  z.string().check(z.minLength(1)),
  z.object({
    id: z.optional(z.string().check(z.minLength(1))),
    model: z.string().check(z.minLength(1)),
    baseUrl: z.optional(z.url()),
    apiKeyEnv: z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/))),
    temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
    maxTokens: z.optional(z.int().check(z.positive())),
  }),
]);

const promptSchema = z.union([
  z.string().check(z.minLength(1)),
  z.object({ file: z.string().check(z.minLength(1)) }),
]);

export const evalFileSchema = z.object({
  /** The model that judges model-graded assertions (llm-rubric, factuality). */
  grader: z.optional(modelSchema),
  name: z.optional(z.string().check(z.minLength(1))),
  description: z.optional(z.string()),
  prompts: z.array(promptSchema).check(z.minLength(1, 'an eval needs at least one prompt')),
  models: z.optional(z.array(modelSchema).check(z.minLength(1))),
  defaults: z.optional(
    z.object({ vars: z.optional(varsSchema), assert: z.optional(z.array(assertionSchema)) }),
  ),
  dataset: z.optional(z.string().check(z.minLength(1))),
  cases: z.optional(z.array(caseSchema)),
  threshold: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  repeat: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
});

export type EvalFile = z.output<typeof evalFileSchema>;
export type AssertionSpec = z.output<typeof assertionSchema>;
export type CaseSpec = z.output<typeof caseSchema>;
export type ModelSpec = z.output<typeof modelSchema>;

/** The problems of an eval file, for commands to list; the message sums them up. */
export class EvalFileError extends ValidationError {
  constructor(
    readonly file: string,
    readonly problems: FileProblem[],
  ) {
    super(`The eval file has ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    this.name = 'EvalFileError';
  }
}

/** The file checked: its structure, each assertion's fields, and each model's key rule. */
export function parseEvalFile(text: string, fileName: string): EvalFile {
  const read = readYamlFile(text);
  if (read.problems) throw new EvalFileError(fileName, read.problems);
  const problems: FileProblem[] = [];
  const report = (path: PathPart[], message: string) =>
    problems.push({ path: formatPath(path) || '(file)', line: read.lineOf(path), message });
  const parsed = evalFileSchema.safeParse(read.raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(issue.path as PathPart[], issueReason(issue));
    throw new EvalFileError(fileName, problems);
  }
  const file = parsed.data;
  const checkAsserts = (asserts: AssertionSpec[] | undefined, path: PathPart[]) => {
    asserts?.forEach((assertion, index) => {
      const problem = assertionProblem(assertion);
      if (problem) report([...path, index], problem);
    });
  };
  checkAsserts(file.defaults?.assert, ['defaults', 'assert']);
  file.cases?.forEach((item, index) => {
    checkAsserts(item.assert, ['cases', index, 'assert']);
  });
  file.models?.forEach((model, index) => {
    if (typeof model === 'object' && model.baseUrl && !model.apiKeyEnv) {
      report(
        ['models', index, 'baseUrl'],
        'a model with its own baseUrl names its key with apiKeyEnv, so no key goes to another host',
      );
    }
  });
  if (typeof file.grader === 'object' && file.grader.baseUrl && !file.grader.apiKeyEnv) {
    report(
      ['grader', 'baseUrl'],
      'a grader with its own baseUrl names its key with apiKeyEnv, so no key goes to another host',
    );
  }
  const graded = [
    ...(file.defaults?.assert ?? []),
    ...(file.cases ?? []).flatMap((c) => c.assert ?? []),
  ]
    .map((a) => a.type.replace(/^not-/, ''))
    .find((type) => GRADED_TYPES.includes(type));
  if (graded && !file.grader) {
    report(['grader'], `${graded} needs a grader model: name one with grader: {model: …}`);
  }
  const variants = file.prompts.length * (file.models?.length ?? 1);
  const across = [
    ...(file.defaults?.assert ?? []),
    ...(file.cases ?? []).flatMap((c) => c.assert ?? []),
  ].some((a) => a.type.replace(/^not-/, '') === 'select-best');
  if (across && variants < 2) {
    report(['prompts'], 'select-best compares variants: name two prompts or two models at least');
  }
  if (!file.dataset && !file.cases?.length) {
    report(['cases'], 'give cases, a dataset file, or both');
  }
  if (problems.length > 0) throw new EvalFileError(fileName, problems);
  return file;
}

export { ASSERTION_TYPES };
