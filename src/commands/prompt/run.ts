import { Command } from 'commander';
import { CONFIG_DEFAULTS } from '../../core/config.js';
import {
  AppError,
  errorJson,
  ModelError,
  UnrecordedAnswerError,
  ValidationError,
} from '../../core/errors.js';
import { EXIT_CANCELLED } from '../../core/model-client/errors.js';
import type { RunResult } from '../../services/run-types.js';
import { failedRunOf } from '../../services/run-types.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import {
  addRenderExtraOptions,
  addScopeOptions,
  collect,
  parseVarFlags,
  readRenderExtras,
  readTextFile,
  readVarsFile,
  resolveScope,
} from './inputs.js';
import { parseCases, printDryRun, printRunResult, startProgress } from './run-output.js';
import { versionOption } from './show.js';

const positiveInt = (z: Zod) => z.coerce.number().check(z.int(), z.positive());
const runSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    var: z.optional(z.array(z.string())),
    varsFile: z.optional(z.string()),
    inputFile: z.optional(z.string()),
    concurrency: z.optional(positiveInt(z).check(z.maximum(64))),
    model: z.optional(z.string()),
    temperature: z.optional(z.coerce.number().check(z.minimum(0), z.maximum(2))),
    maxTokens: z.optional(positiveInt(z)),
    timeout: z.optional(z.coerce.number().check(z.positive())),
    maxRetries: z.optional(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10))),
    responseFormat: z.optional(z.enum(['text', 'json'])),
    stream: z.optional(z.boolean()),
    cache: z.optional(z.boolean()),
    dryRun: z.optional(z.boolean()),
    history: z.optional(z.string()),
    contextData: z.optional(z.string()),
    version: versionOption(z),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

export function createPromptRunCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    addRenderExtraOptions(new Command('run'))
      .description('Render a prompt, send it to the model, print and record the answer')
      .argument('<name>', 'prompt name; name@3 for a version, name@production for a label')
      .option('--var <name=value>', 'a variable (repeatable)', collect)
      .option('--vars-file <path>', 'variables from a JSON or YAML file')
      .option('--input-file <cases.jsonl>', 'run once per line: a JSON object of variables each')
      .option('--concurrency <n>', 'calls at once with --input-file (default 4)')
      .option('-m, --model <model>', 'model to use')
      .option('--temperature <n>', 'sampling temperature, 0 to 2')
      .option('--max-tokens <n>', 'maximum tokens in the answer')
      .option('--timeout <seconds>', 'request timeout (default 300)')
      .option('--max-retries <n>', 'retries on connection errors, 408, 409, 429, 5xx (default 2)')
      .option('--response-format <format>', 'ask for json or text')
      .option('--stream', 'print the answer as it arrives')
      .option('--no-cache', 'call the model even when a cached answer exists')
      .option('--dry-run', 'print what would be sent; call nothing')
      .option('--version <n>', 'a given version (default: the latest)'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(runSchema, { name, ...options }, cmd);
    if (input.inputFile && input.stream) {
      throw new ValidationError('--stream cannot be used with --input-file');
    }
    const base = {
      ...(input.varsFile ? await readVarsFile(ctx, input.varsFile) : {}),
      ...parseVarFlags(input.var ?? []),
    };
    const extras = await readRenderExtras(ctx, input);
    const services = await ctx.services();
    const prompts = await services.prompts();
    const runs = await services.runs();
    const scope = await resolveScope(ctx, prompts, input);
    const flags = {
      model: input.model,
      temperature: input.temperature,
      maxTokens: input.maxTokens,
      timeout: input.timeout,
      maxRetries: input.maxRetries,
      noCache: input.cache === false,
      json: input.responseFormat === 'json',
    };
    const prepare = await runs.preparer(scope, input.name, { version: input.version, flags });

    if (input.inputFile) {
      const cases = parseCases(readTextFile(ctx, input.inputFile, 'input file'));
      if (input.dryRun) {
        let bad = 0;
        for (const item of cases) {
          const variables = item.variables;
          const call = variables ? attempt(() => prepare({ ...base, ...variables }, extras)) : null;
          const failed = call instanceof Error || call === null;
          if (failed) bad++;
          ctx.output.jsonLine(
            failed
              ? {
                  line: item.line,
                  error: errorJson(
                    call instanceof AppError
                      ? call
                      : new ValidationError(call?.message ?? item.error ?? 'no variables'),
                  ),
                }
              : { line: item.line, model: call.settings.model, messages: call.rendered.messages },
          );
        }
        if (bad > 0)
          throw new ValidationError(`${bad} of ${cases.length} cases cannot be rendered`);
        return;
      }
      const signal = ctx.interruptSignal();
      const progress = await startProgress(ctx, cases.length);
      const lines = ctx.output.jsonLines();
      let results: Awaited<ReturnType<typeof runs.runBatch>>;
      try {
        results = await runs.runBatch(
          cases.map((item) => ({
            ...item,
            variables: item.variables && { ...base, ...item.variables },
          })),
          (variables) => prepare(variables, extras),
          {
            concurrency:
              input.concurrency ?? ctx.config.get('concurrency') ?? CONFIG_DEFAULTS.concurrency,
            signal,
            onResult: (result) => lines.write(result),
            onProgress: (done) => progress.update(done),
          },
        );
      } finally {
        // The lines of a stopped batch are printed before its error.
        lines.flush();
        progress.stop();
      }
      const failed = results.filter((r) => r.status !== 'success').length;
      if (signal.aborted) throw new AppError('Cancelled', { exitCode: EXIT_CANCELLED });
      if (failed > 0) throw new ModelError(`${failed} of ${results.length} cases failed`);
      ctx.output.note(`${ctx.output.style.success('✓')} ${results.length} cases succeeded`);
      return;
    }

    // Piped text becomes {{input}} when the prompt uses it.
    if (!('input' in base) && prepare.variables.some((v) => v.name === 'input')) {
      const piped = await ctx.readStdin();
      if (piped) Object.assign(base, { input: piped });
    }
    const call = prepare(base, extras);
    if (input.dryRun) {
      printDryRun(ctx.output, call);
      return;
    }
    const streaming = Boolean(input.stream) && !ctx.options.json;
    const spinner = streaming
      ? undefined
      : await ctx.output.spinner(`Asking ${call.settings.model}…`);
    // What was streamed decides whether a failure must end the line: nothing streamed, no line.
    let streamed = '';
    try {
      const result = await runs.execute(call, {
        stream: streaming,
        onToken: streaming
          ? (text) => {
              if (text) streamed = text;
              ctx.output.stream(text);
            }
          : undefined,
        signal: ctx.interruptSignal(),
        onRetry: ({ attempt, delayMs, reason }) =>
          spinner?.update(`Retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s: ${reason}`),
      });
      spinner?.stop();
      printRunResult(ctx, result, streaming);
    } catch (error) {
      spinner?.stop();
      if (error instanceof UnrecordedAnswerError) {
        printRunResult(ctx, error.answer as RunResult, streaming);
        throw error;
      }
      if (streamed && !streamed.endsWith('\n')) ctx.output.stream('\n');
      // A script reading --json gets the failed call's shape too; the error line follows.
      const failed = ctx.options.json ? failedRunOf(error, call.settings.model) : undefined;
      if (failed) ctx.output.json(failed);
      throw error;
    }
  });
  return withExamples(command, [
    'prompt run greet --var name=Ada',
    'git diff | prompt-runner prompt run review --stream',
    'prompt run classify --input-file cases.jsonl --concurrency 8 > results.jsonl',
    'prompt run greet --var name=Ada --dry-run --json',
    'prompt run greet@production --var name=Ada',
  ]);
}

function attempt<T>(work: () => T): T | Error {
  try {
    return work();
  } catch (error) {
    return error as Error;
  }
}
