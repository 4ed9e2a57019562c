// Checks a workflow file and reports every problem at once, each with its path and line:
// structure (zod), step ids, references to inputs and steps, cycles, stored prompts.
import { ValidationError } from '../core/errors.js';
import { analyzeTemplate, TemplateSyntaxError } from '../core/templating/engine.js';
import { type FileProblem, formatPath, type PathPart, readYamlFile } from '../core/yaml-file.js';
import { issueReason } from '../core/zod-issue.js';
import { parseHistory } from '../services/chat-history.js';
import { findReferences } from './references.js';
import {
  type InputType,
  salvageWorkflowFile,
  type WorkflowFile,
  type WorkflowStep,
  withArticle,
  workflowFileSchema,
} from './schema.js';

/** A problem of the file: where (`steps[2].depends_on[0]`), its line, and what. */
export type WorkflowProblem = FileProblem;

export interface ValidatedWorkflow {
  file: WorkflowFile;
  /** Each step's upstream steps: `depends_on` and the steps its templates refer to. */
  dependencies: Map<string, Set<string>>;
  /** Steps in an order that respects dependencies. */
  order: string[];
}

export interface ValidationResult {
  workflow: ValidatedWorkflow | null;
  problems: WorkflowProblem[];
}

export interface ValidateOptions {
  /**
   * What is wrong with a step's stored prompt reference (`name`, `name@3`,
   * `name@production`): undefined when it names a version that exists (not checked when the
   * option is not given).
   */
  promptProblem?: (reference: string) => string | undefined;
  /** The variables a stored prompt requires (no default), when known. */
  promptRequires?: (reference: string) => string[] | undefined;
  /** Whether a stored prompt answers with structured output (JSON), when known. */
  promptStructured?: (reference: string) => boolean;
}

export function validateWorkflow(text: string, options: ValidateOptions = {}): ValidationResult {
  const read = readYamlFile(text);
  if (read.problems) return { workflow: null, problems: read.problems };
  const { raw, lineOf } = read;
  const problems: WorkflowProblem[] = [];
  const report = (path: PathPart[], message: string) =>
    problems.push({ path: formatPath(path) || '(file)', line: lineOf(path), message });

  const parsed = workflowFileSchema.safeParse(raw);
  // A file with structural problems still gets every other check, on the parts that pass.
  const salvaged = parsed.success ? null : salvageWorkflowFile(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) report(issue.path as PathPart[], issueReason(issue));
  }
  const file = parsed.success ? parsed.data : (salvaged as { file: WorkflowFile }).file;
  /** A step that exists but is broken: its problems are reported, not references to it. */
  const broken = (id: string) => salvaged?.stepIds.has(id) === true;
  const steps = new Map<string, { step: WorkflowStep; index: number }>();
  file.steps.forEach((step, index) => {
    if (steps.has(step.id)) report(['steps', index, 'id'], `duplicate step id "${step.id}"`);
    else steps.set(step.id, { step, index });
  });
  for (const [name, input] of Object.entries(file.inputs ?? {})) {
    if (input.default !== undefined && input.type && !hasType(input.default, input.type)) {
      report(['inputs', name, 'default'], `the default is not ${withArticle(input.type)}`);
    }
  }

  const dependencies = new Map<string, Set<string>>();
  const checkTemplate = (source: string, path: PathPart[], owner: string | null) => {
    let program: hbs.AST.Program;
    try {
      // Parsed once: the run renders from the same tree.
      program = analyzeTemplate(source).program;
    } catch (error) {
      if (error instanceof TemplateSyntaxError) return report(path, error.message);
      throw error;
    }
    const references = findReferences(program);
    for (const name of references.inputs) {
      if (!Object.hasOwn(file.inputs ?? {}, name)) report(path, `undeclared input "${name}"`);
    }
    for (const reference of references.steps) {
      const target = steps.get(reference.id);
      if (!target) {
        if (!broken(reference.id)) {
          report(path, `"${reference.path}" refers to no step "${reference.id}"`);
        }
      } else if (reference.id === owner) {
        report(path, `step "${owner}" refers to its own output`);
      } else {
        const json =
          target.step.output === 'json' ||
          (target.step.prompt !== undefined && options.promptStructured?.(target.step.prompt));
        if (reference.field !== undefined && !json) {
          report(
            path,
            `"${reference.path}" reads a field, but step "${reference.id}" outputs text`,
          );
        }
        if (owner) dependencies.get(owner)?.add(reference.id);
      }
    }
  };

  file.steps.forEach((step, index) => {
    dependencies.set(step.id, dependencies.get(step.id) ?? new Set());
    const at = (...rest: PathPart[]) => ['steps', index, ...rest];
    const left = salvaged?.dropped.get(index);
    const unsure = left?.has('prompt') || left?.has('template');
    if (!unsure && (step.prompt === undefined) === (step.template === undefined)) {
      report(at(), `step "${step.id}" needs either a prompt or a template`);
    }
    const problem = step.prompt === undefined ? undefined : options.promptProblem?.(step.prompt);
    if (problem) {
      report(at('prompt'), problem);
    } else if (step.prompt !== undefined) {
      // A stored prompt is rendered with the inputs, the step's vars, `inputs` and `steps`.
      const given = new Set([...Object.keys(file.inputs ?? {}), ...Object.keys(step.vars ?? {})]);
      const missing = (options.promptRequires?.(step.prompt) ?? []).filter(
        (name) => !given.has(name) && name !== 'inputs' && name !== 'steps',
      );
      if (missing.length > 0) {
        const list = missing.map((name) => `"${name}"`).join(', ');
        report(
          at('prompt'),
          `stored prompt "${step.prompt}" needs ${list}: give ${missing.length > 1 ? 'them' : 'it'} in vars or as inputs`,
        );
      }
    }
    if (step.schema && step.output !== 'json') {
      report(at('schema'), 'a schema needs output: json');
    }
    (step.depends_on ?? []).forEach((dependency, position) => {
      if (!steps.has(dependency)) {
        if (!broken(dependency)) report(at('depends_on', position), `unknown step "${dependency}"`);
      } else if (dependency === step.id)
        report(at('depends_on', position), 'a step cannot depend on itself');
      else dependencies.get(step.id)?.add(dependency);
    });
    if (step.template !== undefined) checkTemplate(step.template, at('template'), step.id);
    if (step.system !== undefined) checkTemplate(step.system, at('system'), step.id);
    for (const [name, source] of Object.entries(step.vars ?? {})) {
      checkTemplate(source, at('vars', name), step.id);
    }
    if (step.history !== undefined && step.template !== undefined) {
      report(at('history'), 'history is for a stored prompt (prompt:); a template has no turns');
    } else if (typeof step.history === 'string') {
      checkTemplate(step.history, at('history'), step.id);
    } else if (step.history !== undefined) {
      try {
        parseHistory(step.history, 'history');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        report(at('history'), error.message.replace(/^history\b:? ?/, ''));
      }
    }
  });
  for (const [name, source] of Object.entries(file.outputs ?? {})) {
    checkTemplate(source, ['outputs', name], null);
  }

  const cycle = findCycle(dependencies);
  if (cycle) {
    const first = steps.get(cycle[0] ?? '');
    report(first ? ['steps', first.index] : ['steps'], `dependency cycle: ${cycle.join(' → ')}`);
  }
  if (problems.length > 0) {
    // In the order of the file.
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    return { workflow: null, problems };
  }
  return { workflow: { file, dependencies, order: topologicalOrder(dependencies) }, problems };
}

function hasType(value: unknown, type: InputType): boolean {
  if (type === 'array') return Array.isArray(value);
  if (type === 'object')
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  return typeof value === type;
}

/** A cycle as a closed list of step ids (`a → b → a`), or null. */
function findCycle(dependencies: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const upstream of dependencies.get(id) ?? []) {
      if (state.get(upstream) === 'visiting') {
        const loop = stack.slice(stack.indexOf(upstream));
        return [...loop, upstream].reverse();
      }
      if (!state.has(upstream)) {
        const found = visit(upstream);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of dependencies.keys()) {
    if (!state.has(id)) {
      const found = visit(id);
      if (found) return found;
    }
  }
  return null;
}

function topologicalOrder(dependencies: Map<string, Set<string>>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < dependencies.size) {
    for (const [id, upstream] of dependencies) {
      if (!placed.has(id) && [...upstream].every((u) => placed.has(u))) {
        order.push(id);
        placed.add(id);
      }
    }
  }
  return order;
}
