// Dotprompt's own conformance cases (../shared/dotprompt-spec, or DOTPROMPT_SPEC_DIR), read as
// test vectors: each case's template becomes a `.prompt` file (its partials `_name.prompt`
// files beside it), and what prompt-runner renders is compared with the expected messages
// (roles, every part, metadata) and metadata (config, ext, input, output, model, raw).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';

export const SPEC_DIR =
  process.env.DOTPROMPT_SPEC_DIR ??
  fileURLToPath(new URL('../../../shared/dotprompt-spec/', import.meta.url));

export const specAvailable = existsSync(SPEC_DIR);

interface DataArgument {
  input?: Record<string, unknown>;
  context?: Record<string, unknown>;
  messages?: unknown[];
}

export interface SpecCase {
  /** The YAML file, e.g. `helpers/role.yaml`. */
  file: string;
  suite: string;
  desc: string;
  template: string;
  partials: Record<string, string>;
  /** Named schemas the suite resolves (prompt-runner has no schema registry). */
  schemas: boolean;
  data: DataArgument;
  /** Render-time `input.default` (given to prompt-runner as the prompt's defaults). */
  defaults: Record<string, unknown> | undefined;
  expect: Record<string, unknown>;
}

/** Every case of the suite, in file order. */
export function loadSpecCases(): SpecCase[] {
  const files = readdirSync(SPEC_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  const cases: SpecCase[] = [];
  for (const file of files) {
    const suites = parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as Record<string, unknown>[];
    for (const suite of suites) {
      const tests = suite.tests as Record<string, unknown>[];
      for (const [index, test] of tests.entries()) {
        const base = (suite.data ?? {}) as DataArgument;
        const own = (test.data ?? {}) as DataArgument;
        const options = (test.options ?? {}) as { input?: { default?: Record<string, unknown> } };
        cases.push({
          file,
          suite: String(suite.name),
          desc: String(test.desc ?? `case ${index + 1}`),
          template: String(suite.template),
          partials: {
            ...(suite.partials as Record<string, string>),
            ...(suite.resolverPartials as Record<string, string>),
          },
          schemas: suite.schemas !== undefined,
          data: { ...base, ...own },
          defaults: options.input?.default,
          expect: test.expect as Record<string, unknown>,
        });
      }
    }
  }
  return cases;
}

/** A case's files: the template as `<suite>.prompt`, its partials as `_<name>.prompt`. */
export function caseFiles(c: SpecCase): Record<string, string> {
  const files: Record<string, string> = { [`${c.suite}.prompt`]: c.template };
  for (const [name, body] of Object.entries(c.partials)) files[`_${name}.prompt`] = body;
  return files;
}

/** What prompt-runner gives for a case: `prompt render --json` and the prompt's own data. */
export interface Rendered {
  messages: unknown[];
  model: string | null;
  parameters: { extra?: Record<string, unknown> };
  metadata: Record<string, unknown>;
  schemas: { input: unknown; output: unknown };
  /** The prompt's declared defaults. */
  defaults: Record<string, unknown>;
  /** The front matter of the prompt's export, without the name it was given. */
  raw: Record<string, unknown>;
}

const CONFIG_NAMES: Record<string, string> = {
  temperature: 'temperature',
  maxTokens: 'maxOutputTokens',
  topP: 'topP',
  stop: 'stopSequences',
  seed: 'seed',
};

/** The metadata Dotprompt's renderer gives, from what prompt-runner stores. */
export function dotpromptMetadata(rendered: Rendered): Record<string, unknown> {
  const { extra, ...columns } = rendered.parameters;
  const config: Record<string, unknown> = { ...extra };
  for (const [column, value] of Object.entries(columns)) {
    const name = CONFIG_NAMES[column];
    if (name) config[name] = value;
  }
  const ext: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(rendered.metadata)) {
    if (!key.includes('.') || key.startsWith('prompt-runner.')) continue;
    const dot = key.lastIndexOf('.');
    const namespace = key.slice(0, dot);
    ext[namespace] = { ...ext[namespace], [key.slice(dot + 1)]: value };
  }
  const meta: Record<string, unknown> = { config, ext, raw: rendered.raw };
  if (rendered.model) meta.model = rendered.model;
  const output = rendered.metadata.output as Record<string, unknown> | undefined;
  if (output) {
    meta.output = { ...output, ...(output.schema ? { schema: rendered.schemas.output } : {}) };
  }
  const input: Record<string, unknown> = {};
  if (rendered.schemas.input) input.schema = rendered.schemas.input;
  if (Object.keys(rendered.defaults).length > 0) input.default = rendered.defaults;
  if (Object.keys(input).length > 0) meta.input = input;
  return meta;
}

/** Null when the case passes; else what differs. */
export function compareCase(c: SpecCase, rendered: Rendered): string | null {
  if (!isDeepStrictEqual(rendered.messages, c.expect.messages)) {
    return `messages: got ${JSON.stringify(rendered.messages)}`;
  }
  const meta = dotpromptMetadata(rendered);
  for (const key of ['config', 'ext', 'input', 'output', 'model', 'raw']) {
    const wanted = c.expect[key] ?? (key === 'config' || key === 'ext' ? {} : undefined);
    // `raw` and `input` are compared when the case names them, as Dotprompt's own runner does.
    if ((key === 'raw' || key === 'input') && c.expect[key] === undefined) continue;
    if (!isDeepStrictEqual(meta[key], wanted)) {
      return `${key}: got ${JSON.stringify(meta[key])}, want ${JSON.stringify(wanted)}`;
    }
  }
  return null;
}

export interface CaseOutcome {
  case: SpecCase;
  /** Null when it passed. */
  failure: string | null;
}

/** Passed / total per file, and each failure, as lines to print. */
export function summarize(outcomes: CaseOutcome[]): string {
  const byFile = new Map<string, { passed: number; total: number }>();
  for (const { case: c, failure } of outcomes) {
    const row = byFile.get(c.file) ?? { passed: 0, total: 0 };
    row.total++;
    if (failure === null) row.passed++;
    byFile.set(c.file, row);
  }
  const width = Math.max(...[...byFile.keys()].map((file) => file.length));
  const lines = [...byFile].map(([file, r]) => `${file.padEnd(width)}  ${r.passed}/${r.total}`);
  const passed = outcomes.filter((o) => o.failure === null).length;
  lines.push(`${'total'.padEnd(width)}  ${passed}/${outcomes.length}`);
  for (const { case: c, failure } of outcomes) {
    if (failure !== null) lines.push(`✗ ${c.file} ${c.suite}: ${c.desc}: ${failure}`);
  }
  return lines.join('\n');
}
