// orchestrate list-sessions / show / export / delete.
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { checkOutputDir, checkOutputFile, writeOutputFile } from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addProjectOption } from '../workflow/shared.js';
import { exportFiles, printSession, printSessions, toSessionJson } from './render.js';

const listSchema = (z: Zod) =>
  z.object({
    status: z.optional(z.enum(['planning', 'analysis', 'implementation', 'completed'])),
    limit: z.coerce.number().check(z.int(), z.positive()),
    project: z.optional(z.string()),
  });

export function createListSessionsCommand(deps: CommandDeps): Command {
  const command = addProjectOption(
    new Command('list-sessions')
      .description('List orchestration sessions, newest first')
      .option('--status <status>', 'planning, analysis, implementation or completed')
      .option('--limit <n>', 'how many', '20'),
  ).action(async (options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(listSchema, options, cmd);
    const services = await ctx.services();
    const project = input.project ? await services.projects.get(input.project) : undefined;
    const orchestration = await services.orchestration();
    const sessions = await orchestration.list({
      projectId: project?.id,
      status: input.status,
      limit: input.limit,
    });
    ctx.output.list(
      sessions.map((s) => toSessionJson(s)),
      (s) => s.sessionId,
      (rows) => printSessions(ctx.output, rows),
    );
  });
  return withExamples(command, [
    'orchestrate list-sessions',
    'orchestrate list-sessions --status analysis -p shop',
  ]);
}

export function createShowSessionCommand(deps: CommandDeps): Command {
  const command = new Command('show')
    .description('Show a session: its state, per-phase tokens, cost and time, and its results')
    .argument('<session>', 'session id (a unique prefix of 4+ characters)')
    .action(async (id: string, _options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const orchestration = await (await ctx.services()).orchestration();
      const session = await orchestration.find(id);
      const json = toSessionJson(session, await orchestration.usage(session));
      ctx.output.result(json, (s) => printSession(ctx.output, s));
    });
  return withExamples(command, ['orchestrate show 3f2a9c1e', 'orchestrate show 3f2a --json']);
}

export function createExportSessionCommand(deps: CommandDeps): Command {
  const command = new Command('export')
    .description('Write plan.md, analysis.md, implementation.md and session.json')
    .argument('<session>', 'session id (a unique prefix of 4+ characters)')
    .option('--dir <dir>', 'where to write (default: ./session-<id>)')
    .option('--overwrite', 'replace existing files (and write into a symlinked folder)')
    .action(async (id: string, options: { dir?: string; overwrite?: boolean }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const orchestration = await (await ctx.services()).orchestration();
      const session = await orchestration.find(id);
      const json = toSessionJson(session, await orchestration.usage(session));
      const dir = resolve(ctx.cwd, options.dir ?? `session-${session.sessionId.slice(0, 8)}`);
      const files = exportFiles(json);
      const overwrite = Boolean(options.overwrite);
      checkOutputDir(dir, overwrite);
      for (const name of Object.keys(files)) checkOutputFile(join(dir, name), overwrite);
      for (const [name, content] of Object.entries(files))
        writeOutputFile(join(dir, name), content);
      ctx.output.result({ dir, files: Object.keys(files) }, (d) =>
        ctx.output.success(`Exported session ${session.sessionId.slice(0, 8)} to ${d.dir}`),
      );
    });
  return withExamples(command, ['orchestrate export 3f2a9c1e --dir docs/plans/reset-password']);
}

export function createDeleteSessionCommand(deps: CommandDeps): Command {
  const command = new Command('delete')
    .description('Delete a session (its calls stay in the execution history)')
    .argument('<session>', 'session id (a unique prefix of 4+ characters)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (id: string, options: { yes?: boolean }, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const orchestration = await (await ctx.services()).orchestration();
      const session = await orchestration.find(id);
      const short = session.sessionId.slice(0, 8);
      if (
        !(await ctx.confirm(`Delete session ${short} (${session.featureRequest})?`, options.yes))
      ) {
        return ctx.output.info('Nothing deleted.');
      }
      await orchestration.delete(session.sessionId);
      ctx.output.result(toSessionJson(session), () =>
        ctx.output.success(`Deleted session ${short}`),
      );
    });
  return withExamples(command, ['orchestrate delete 3f2a9c1e --yes']);
}
