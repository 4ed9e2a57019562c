// The cases of an eval: inline ones and those of its dataset file (JSON lines, CSV, YAML or
// JSON), each with the defaults merged in and an id: the one given, or a hash of its vars
// that stays the same from run to run (compare, baselines and --case use it).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ValidationError } from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import type { PromptMessage } from '../core/templating/messages.js';
import { assertAcyclic } from '../core/yaml-error.js';
import { parseHistory } from '../services/chat-history.js';
import { assertionProblem } from './assertions.js';
import type { AssertionSpec, CaseSpec, EvalFile } from './eval-file.js';
import { evalFilePath } from './paths.js';

export interface EvalCase {
  id: string;
  description: string | null;
  vars: Record<string, unknown>;
  /** Earlier turns, placed at the prompt's `{{history}}`. */
  history?: PromptMessage[];
  assert: AssertionSpec[];
}

/** Every case, inline ones first, with the defaults merged in; ids are checked unique. */
export async function loadCases(
  file: EvalFile,
  baseDir: string,
  root: string,
): Promise<EvalCase[]> {
  const specs: { spec: CaseSpec; where: string }[] = (file.cases ?? []).map((spec, index) => ({
    spec,
    where: `cases[${index}]`,
  }));
  if (file.dataset) {
    specs.push(...(await readDataset(evalFilePath(root, baseDir, file.dataset, 'dataset'))));
  }
  const seen = new Map<string, string>();
  return specs.map(({ spec, where }) => {
    const vars = { ...file.defaults?.vars, ...spec.vars };
    const history = spec.history ? parseHistory(spec.history, `${where}.history`) : undefined;
    const id = spec.id ?? caseId(history ? { vars, history: spec.history } : vars);
    const other = seen.get(id);
    if (other) {
      throw new ValidationError(`${where} has the same id as ${other}: "${id}"`, {
        hint: spec.id ? 'give each case its own id' : 'the two have the same vars: give them ids',
      });
    }
    seen.set(id, where);
    return {
      id,
      description: spec.description ?? null,
      vars,
      ...(history ? { history } : {}),
      assert: [...(file.defaults?.assert ?? []), ...(spec.assert ?? [])],
    };
  });
}

/** A stable id from a case's vars: the first 12 hex digits of a hash of their JSON. */
export function caseId(vars: Record<string, unknown>): string {
  return createHash('sha256').update(stableJson(vars)).digest('hex').slice(0, 12);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

async function readDataset(path: string): Promise<{ spec: CaseSpec; where: string }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read the dataset ${path}: ${cannotReadReason(error)}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl') {
    return text.split('\n').flatMap((line, index) => {
      if (!line.trim()) return [];
      const where = `${path}:${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new ValidationError(`${where}: not JSON: ${(error as Error).message}`);
      }
      return [{ spec: toCase(value, where), where }];
    });
  }
  if (extension === '.csv') {
    const { parse } = await import('csv-parse/sync');
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: true, skip_empty_lines: true, bom: true });
    } catch (error) {
      throw new ValidationError(`${path}: not valid CSV: ${(error as Error).message}`);
    }
    return rows.map((row, index) => {
      const { __id, __description, __expected, __history, ...vars } = row;
      const where = `${path}:${index + 2}`;
      return {
        where,
        spec: {
          ...(__id ? { id: __id } : {}),
          ...(__description ? { description: __description } : {}),
          ...(__history ? { history: historyColumn(__history, where) } : {}),
          vars,
          ...(__expected ? { assert: [{ type: 'equals', value: __expected }] } : {}),
        },
      };
    });
  }
  if (extension === '.yaml' || extension === '.yml' || extension === '.json') {
    const { parse } = await import('yaml');
    let value: unknown;
    try {
      value = parse(text, { maxAliasCount: 100 });
    } catch (error) {
      throw new ValidationError(`${path}: not valid YAML: ${(error as Error).message}`);
    }
    assertAcyclic(value, path);
    if (!Array.isArray(value)) throw new ValidationError(`${path}: expected a list of cases`);
    return value.map((item, index) => {
      const where = `${path}[${index}]`;
      return { spec: toCase(item, where), where };
    });
  }
  throw new ValidationError(`Unknown dataset format ${extension || '(no extension)'}: ${path}`, {
    hint: 'use .jsonl, .csv, .yaml, .yml or .json',
  });
}

/** A case as written (`{vars, assert, id, description}`) or an object of vars alone. */
function toCase(value: unknown, where: string): CaseSpec {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(`${where}: a case is an object`);
  }
  const item = value as Record<string, unknown>;
  if (!('vars' in item)) return { vars: item };
  const { id, description, vars, assert, history } = item;
  if (vars !== undefined && (typeof vars !== 'object' || vars === null || Array.isArray(vars))) {
    throw new ValidationError(`${where}: vars is an object`);
  }
  if (assert !== undefined && !Array.isArray(assert)) {
    throw new ValidationError(`${where}: assert is a list`);
  }
  if (history !== undefined && !Array.isArray(history)) {
    throw new ValidationError(`${where}: history is a list of messages`);
  }
  for (const assertion of (assert ?? []) as AssertionSpec[]) {
    const problem =
      assertion && typeof assertion === 'object' && typeof assertion.type === 'string'
        ? assertionProblem(assertion)
        : 'an assertion is an object with a type';
    if (problem) throw new ValidationError(`${where}: ${problem}`);
  }
  return {
    ...(typeof id === 'string' || typeof id === 'number' ? { id: String(id) } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    vars: (vars ?? {}) as Record<string, unknown>,
    ...(history ? { history: history as unknown[] } : {}),
    assert: (assert ?? []) as AssertionSpec[],
  };
}

/** A CSV `__history` cell: the messages as JSON. */
function historyColumn(text: string, where: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${where}: __history is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new ValidationError(`${where}: __history is a list of messages`);
  return value;
}
