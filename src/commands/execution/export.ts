import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Command } from 'commander';
import {
  checkOutputFile,
  type OutputFile,
  openOutputFile,
  outputFilePath,
} from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { toExecutionJson } from './render.js';

const exportSchema = (z: Zod) =>
  z.object({
    format: z.enum(['jsonl', 'csv']),
    output: z.optional(z.string()),
    overwrite: z.optional(z.boolean()),
  });

const CSV_COLUMNS = [
  'id',
  'createdAt',
  'project',
  'prompt',
  'promptVersion',
  'model',
  'baseUrlHost',
  'status',
  'error',
  'attempts',
  'inputTokens',
  'outputTokens',
  'costUsd',
  'latencyMs',
  'cached',
  'finishReason',
  'workflowRunId',
  'stepId',
  'sessionId',
  'phase',
  'optimizationId',
  'parameters',
  'system',
  'messages',
  'variables',
  'response',
] as const;

function write(stream: Writable, text: string): Promise<void> {
  return new Promise((done) => (stream.write(text) ? done() : stream.once('drain', done)));
}

export function createExecutionExportCommand(deps: CommandDeps): Command {
  const command = new Command('export')
    .description('Write every execution as JSON lines or CSV (to stdout or a file)')
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--overwrite', 'replace an existing file or symlink at the output path')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(exportSchema, options, cmd);
      const path = outputFilePath(ctx.cwd, input.output);
      if (path) checkOutputFile(path, Boolean(input.overwrite));
      const executions = await (await ctx.services()).executions();
      // `--json` without a file: one JSON array, as every --json command prints one document.
      if (ctx.options.json && !path) {
        const all = [];
        for await (const execution of executions.all()) all.push(toExecutionJson(execution));
        ctx.output.json(all);
        return;
      }
      const file: OutputFile | null = path ? openOutputFile(path) : null;
      const stream: Writable = file ? createWriteStream('', { fd: file.fd }) : ctx.deps.stdout;
      const { stringify } = await import('csv-stringify/sync');
      const csvOptions = { cast: { boolean: (value: boolean) => String(value) } };
      if (input.format === 'csv') await write(stream, stringify([[...CSV_COLUMNS]]));
      let count = 0;
      for await (const execution of executions.all()) {
        const row = toExecutionJson(execution);
        count++;
        if (input.format === 'jsonl') {
          await write(stream, `${JSON.stringify(row)}\n`);
        } else {
          const cells = CSV_COLUMNS.map((column) => {
            const value = row[column];
            return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
          });
          await write(stream, stringify([cells], csvOptions));
        }
      }
      if (path && file) {
        await new Promise<void>((done, fail) =>
          stream.end((error?: Error | null) => (error ? fail(error) : done())),
        ).catch((error: unknown) => {
          file.discard();
          throw error;
        });
        file.commit();
        ctx.output.result({ path, format: input.format, count }, (d) =>
          ctx.output.success(`Exported ${d.count} executions to ${d.path}`),
        );
      }
    });
  return withExamples(command, [
    'execution export > calls.jsonl',
    'execution export --format csv -o calls.csv',
  ]);
}
