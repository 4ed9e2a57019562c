import { Command } from 'commander';
import { checkOutputFile, outputFilePath, writeOutputFile } from '../output-files.js';
import { type CommandDeps, parseInput, withExamples, type Zod } from '../shared.js';
import { addScopeOptions, resolveScope } from './inputs.js';
import { versionOption } from './show.js';

const exportSchema = (z: Zod) =>
  z.object({
    name: z.string(),
    output: z.optional(z.string()),
    overwrite: z.optional(z.boolean()),
    force: z.optional(z.boolean()),
    version: versionOption(z),
    project: z.optional(z.string()),
    global: z.optional(z.boolean()),
  });

export function createPromptExportCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('export')
      .description('Write a prompt as a .prompt file (Dotprompt front matter and body)')
      .argument('<name>', 'prompt name; name@3 for a version, name@production for a label')
      .option('-o, --output <file>', 'write to a file instead of stdout')
      .option('--overwrite', 'replace an existing file or symlink at the output path')
      .option('--force', 'the same as --overwrite')
      .option('--version <n>', 'a given version (default: the latest)'),
  ).action(async (name: string, options: object, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const input = await parseInput(exportSchema, { name, ...options }, cmd);
    const path = outputFilePath(ctx.cwd, input.output);
    if (path) checkOutputFile(path, Boolean(input.overwrite || input.force));
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, input);
    const view = await prompts.get(scope, input.name, input.version);
    const { exportPromptFile } = await import('../../services/prompt-transfer.js');
    const content = exportPromptFile(view);
    if (path) writeOutputFile(path, content);
    const data = { name: view.prompt.name, version: view.version.version, path, content };
    ctx.output.result(data, (d) => {
      if (d.path) ctx.output.success(`Exported ${d.name} v${d.version} to ${d.path}`);
      else ctx.output.write(d.content);
    });
  });
  return withExamples(command, [
    'prompt export summarize > summarize.prompt',
    'prompt export summarize@production -o prompts/summarize.prompt',
  ]);
}
