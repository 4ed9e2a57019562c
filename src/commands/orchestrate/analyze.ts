// orchestrate analyze: the session's analysis template meets the codebase.
import { Command } from 'commander';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import {
  addContextOptions,
  budgetLine,
  contextFields,
  contextFlags,
  indexProgress,
} from './context-options.js';
import { nextCommand, toSessionJson } from './render.js';
import { withSpinner } from './spinner.js';

const analyzeSchema = (z: Zod) =>
  z.object({
    session: z.string(),
    ...contextFields(z),
    locate: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
  });

export function createAnalyzeCommand(deps: CommandDeps): Command {
  const command = addContextOptions(
    new Command('analyze')
      .description(
        "Analyse the codebase for the session's feature: the files it touches, found by ranking the codebase against the request",
      )
      .argument('<session>', 'session id (a unique prefix of 4+ characters)'),
  )
    .option('--no-locate', 'skip the locate step (the model choosing files from the ranked map)')
    .option('--force', 'analyse again, replacing the analysis')
    .action(async (session: string, options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(analyzeSchema, { session, ...options }, cmd);
      const orchestration = await (await ctx.services()).orchestration();
      const { session: updated } = await withSpinner(
        ctx,
        'Analysing…',
        (update) =>
          orchestration.analyze(input.session, {
            ...contextFlags(input),
            onProgress: indexProgress(update),
            locate: input.locate,
            onWarning: (message) => ctx.output.warn(message),
            force: input.force,
            signal: ctx.interruptSignal(),
          }),
        ({ session: s, context: c }, seconds) =>
          `Analysed session ${s.sessionId.slice(0, 8)} in ${seconds} from ${budgetLine(c)}: complexity ${s.complexity ?? '?'}, estimate ${s.timeEstimate ?? '?'} (next: ${nextCommand(s)})`,
      );
      ctx.output.result(toSessionJson(updated), () => undefined);
    });
  return withExamples(command, [
    'orchestrate analyze 3f2a9c1e',
    "orchestrate analyze 3f2a --context 'src/auth/**' --exclude 'src/legacy/**'",
    'orchestrate analyze 3f2a --max-context-tokens 12000 --no-locate',
  ]);
}
