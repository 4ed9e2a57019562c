import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../core/errors.js';
import { type CommandDeps, withExamples } from '../shared.js';
import { addScopeOptions, readTextFile, resolveScope, type ScopeOptions } from './inputs.js';

const PROMPT_FILE_EXTENSION = '.prompt';

interface FoundFile {
  path: string;
  within?: string;
  /** Why the file is not read (a link). */
  refused?: string;
}

/**
 * The file itself, or every `.prompt` file under the directory, sorted (with its path in it).
 * Links inside the directory are not followed: they could loop, or leave it.
 */
function promptFiles(cwd: string, path: string): FoundFile[] {
  const full = resolve(cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(full).isDirectory();
  } catch {
    throw new ValidationError(`No such file or directory: ${path}`);
  }
  if (!isDirectory) return [{ path }];
  const files: FoundFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(full, dir), { withFileTypes: true })) {
      const within = dir ? `${dir}/${entry.name}` : entry.name;
      const shown = relative(cwd, join(full, within)) || within;
      if (entry.isDirectory()) walk(within);
      else if (entry.isSymbolicLink()) {
        files.push({ path: shown, refused: 'is a link: a folder import does not follow links' });
      } else if (entry.isFile() && entry.name.endsWith(PROMPT_FILE_EXTENSION)) {
        files.push({ path: shown, within });
      }
    }
  };
  walk('');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (files.length === 0) throw new ValidationError(`No ${PROMPT_FILE_EXTENSION} files in ${path}`);
  return files;
}

export function createPromptImportCommand(deps: CommandDeps): Command {
  const command = addScopeOptions(
    new Command('import')
      .description('Import .prompt files (a file, or every .prompt file in a directory)')
      .argument('<path>', 'a .prompt file or a directory')
      .option('--atomic', 'check every file first; import none if one fails'),
  ).action(async (path: string, options: ScopeOptions & { atomic?: boolean }, cmd: Command) => {
    const ctx = await deps.context(cmd);
    const files = promptFiles(ctx.cwd, path).map((file) => ({
      ...file,
      text: file.refused ? '' : readTextFile(ctx, file.path, 'file'),
    }));
    const prompts = await (await ctx.services()).prompts();
    const scope = await resolveScope(ctx, prompts, options);
    const { importPromptFiles } = await import('../../services/prompt-transfer.js');
    const results = await importPromptFiles(prompts, scope, files, options);
    const failures = results.filter((r) => r.status === 'failed');
    // One file that fails is one error line, as any other command's failure.
    const [only] = results;
    if (results.length === 1 && only?.status === 'failed') {
      throw new ValidationError(only.error ?? `${only.file} could not be imported`);
    }
    ctx.output.result(results, (rows) => {
      for (const r of rows) {
        if (r.status === 'failed') ctx.output.error(r.error ?? `${r.file} could not be imported`);
        else if (r.status === 'skipped') ctx.output.info(`- ${r.file}: not imported (--atomic)`);
        else if (r.status === 'unchanged') ctx.output.info(`  ${r.name} unchanged (v${r.version})`);
        else
          ctx.output.success(
            `${r.status === 'created' ? 'Created' : 'Updated'} ${r.name} v${r.version}`,
          );
      }
    });
    if (failures.length > 0) {
      const imported = options.atomic ? 'none was imported' : 'the others were imported';
      throw new ValidationError(
        `${failures.length} of ${results.length} files failed to import; ${imported}`,
      );
    }
  });
  return withExamples(command, [
    'prompt import prompts/summarize.prompt',
    'prompt import prompts/ --atomic -p myapp',
  ]);
}
