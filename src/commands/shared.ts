// Small pieces every command file uses.
import type { Command } from 'commander';
import type { AppContext } from '../core/context.js';
import { ValidationError } from '../core/errors.js';
import type * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';

/** The zod namespace, handed to schema factories once it is loaded. */
export type Zod = typeof z;

export interface CommandDeps {
  /**
   * The invocation's context, built from the global options the first time it is asked.
   * Asynchronous so that its modules load only when a command runs, not for --help.
   */
  context(command: Command): Promise<AppContext>;
}

/** Adds an Examples section to a command's help; a pipeline names prompt-runner itself. */
export function withExamples<C extends Command>(command: C, examples: string[]): C {
  const lines = examples
    .map((example) => `  $ ${example.includes('prompt-runner ') ? '' : 'prompt-runner '}${example}`)
    .join('\n');
  command.addHelpText('after', `\nExamples:\n${lines}\n`);
  return command;
}

/**
 * Parses a command's merged arguments and options; the first problem becomes the error,
 * naming the option as it is typed (`--max-tokens`). Schemas are written as functions of
 * `z`, so zod loads only when a command runs, not for `--help` or `--version`.
 */
export async function parseInput<S extends z.ZodMiniType>(
  schema: (zod: Zod) => S,
  raw: unknown,
  cmd: Command,
): Promise<z.output<S>> {
  const zod = await import('../core/zod.js');
  const result = schema(zod).safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ValidationError('Invalid input');
  const [key] = issue.path;
  const option = cmd.options.find((o) => o.attributeName() === key);
  const where = option?.long ?? (issue.path.length ? issue.path.join('.') : 'input');
  const given = typeof key === 'string' ? (raw as Record<string, unknown>)[key] : undefined;
  const value = typeof given === 'string' ? ` ${JSON.stringify(given)}` : '';
  throw new ValidationError(`Invalid ${where}${value}: ${issueReason(issue)}`);
}

export function formatDate(date: Date | string | null | undefined): string {
  if (!date) return '';
  const value = typeof date === 'string' ? new Date(date) : date;
  return value.toISOString().replace('T', ' ').slice(0, 16);
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
