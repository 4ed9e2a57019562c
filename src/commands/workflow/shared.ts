// Pieces the workflow commands share: the project, the definition file, inputs, problems.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../core/context.js';
import { ValidationError } from '../../core/errors.js';
import type { ProjectRecord } from '../../db/repositories/project-repository.js';
import type { WorkflowProblem } from '../../workflows/validate.js';
import { collect, parseVarFlags, readTextFile, readVarsFile } from '../prompt/inputs.js';

export function addProjectOption(command: Command): Command {
  return command.option('-p, --project <name>', 'project (default: the current one)');
}

export async function currentProject(
  ctx: AppContext,
  flag: string | undefined,
): Promise<ProjectRecord> {
  const { projects } = await ctx.services();
  return projects.get(ctx.requireProjectName(flag));
}

/** The project a run or session is in, from the record; -p, if given, must name it. */
export async function ownerProject(
  ctx: AppContext,
  project: { id: number | null } | { name: string },
  flag: string | undefined,
  what: string,
): Promise<ProjectRecord> {
  if ('id' in project && project.id === null) return currentProject(ctx, flag);
  // An empty -p is refused as everywhere else, not taken for another name.
  if (flag !== undefined) ctx.projectName(flag);
  const { projects } = await ctx.services();
  return projects.owner(project as { id: number } | { name: string }, flag, what);
}

export function addInputOptions(command: Command): Command {
  return command
    .option('--input <name=value>', 'a workflow input (repeatable)', collect)
    .option('--inputs-file <path>', 'inputs from a JSON or YAML file');
}

export async function readInputs(
  ctx: AppContext,
  options: { input?: string[]; inputsFile?: string },
): Promise<Record<string, unknown>> {
  return {
    ...(options.inputsFile ? await readVarsFile(ctx, options.inputsFile, 'inputs file') : {}),
    ...parseVarFlags(options.input ?? [], '--input'),
  };
}

export function readDefinition(ctx: AppContext, file: string): string {
  return readTextFile(ctx, file, 'workflow file');
}

/** Whether a target names a file (it has a / or a .yaml/.yml end) rather than a stored workflow. */
export function looksLikePath(target: string): boolean {
  return /[\\/]|\.ya?ml$/i.test(target);
}

/** A name of a stored workflow, or a path to a file that exists. */
export function looksLikeFile(ctx: AppContext, target: string): boolean {
  return looksLikePath(target) && existsSync(resolve(ctx.cwd, target));
}

export function printProblems(ctx: AppContext, file: string, problems: WorkflowProblem[]): void {
  for (const problem of problems) {
    const where = problem.line === null ? file : `${file}:${problem.line}`;
    ctx.output.error(`${where} ${problem.path}: ${problem.message}`);
  }
}

export function invalid(count: number): ValidationError {
  return new ValidationError(`The workflow has ${count} problem${count === 1 ? '' : 's'}`);
}
