import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import { Command } from 'commander';
import type { AppContext } from '../../core/context.js';
import type { ProjectRecord } from '../../db/repositories/project-repository.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';

const mcpSchema = (z: Zod) =>
  z.object({
    project: z.optional(z.string()),
    label: z.optional(z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'a label name'))),
  });

export function createMcpCommand(deps: CommandDeps): Command {
  const command = new Command('mcp')
    .description('Serve the prompt library and the planner to coding agents (MCP over stdio)')
    .option('-p, --project <name>', 'the project (default: the one whose root holds the folder)')
    .option('--label <label>', 'serve only prompts with this label, at its version')
    .action(async (options: object, cmd: Command) => {
      const ctx = await deps.context(cmd);
      const input = await parseInput(mcpSchema, options, cmd);
      const open = async () => {
        const services = await ctx.services();
        const project = await projectOf(ctx, input.project);
        return { services, scope: await (await services.prompts()).scope(project?.name ?? null) };
      };
      const { serveMcp } = await import('../../mcp/server.js');
      const { VERSION } = await import('../../cli.js');
      await serveMcp({
        open,
        label: input.label,
        version: VERSION,
        stdin: ctx.deps.stdin,
        stdout: ctx.deps.stdout,
        log: (line) => ctx.deps.stderr.write(`${line}\n`),
      });
    });
  return withExamples(command, [
    'mcp -p myapp',
    'mcp --label production',
    'claude mcp add prompt-runner -- prompt-runner mcp -p myapp',
  ]);
}

/** -p, else the project whose root holds the working folder (the deepest), else the current one. */
async function projectOf(ctx: AppContext, flag: string | undefined): Promise<ProjectRecord | null> {
  const services = await ctx.services();
  if (flag !== undefined) return services.projects.get(ctx.requireProjectName(flag));
  const here = real(ctx.cwd);
  const holding = (await services.projects.list())
    .filter((project) => {
      if (!project.rootPath) return false;
      const inside = relative(real(project.rootPath), here);
      return inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
    })
    .sort((a, b) => (b.rootPath?.length ?? 0) - (a.rootPath?.length ?? 0));
  if (holding[0]) return holding[0];
  const current = ctx.projectName();
  return current ? services.projects.get(current) : null;
}

function real(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}
