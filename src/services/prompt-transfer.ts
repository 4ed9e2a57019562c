// Import and export of `.prompt` files.
import { AppError, ValidationError } from '../core/errors.js';
import { validateName } from '../core/names.js';
import { analyzeTemplate } from '../core/templating/engine.js';
import { formatPromptFile, type PromptFileData, parsePromptFile } from './prompt-file.js';
import type { PromptScope, PromptService, PromptView } from './prompt-service.js';

export interface PromptFileText {
  /** The path as the user should see it. */
  path: string;
  text: string;
}

export interface ImportResult {
  file: string;
  name: string | null;
  status: 'created' | 'updated' | 'unchanged' | 'failed' | 'skipped';
  version: number | null;
  error: string | null;
}

interface CheckedFile {
  file: string;
  name: string;
  data: PromptFileData;
}

/** Parses a file and its templates, and names it (front matter `name`, else the file name). */
function checkFile(file: PromptFileText): CheckedFile {
  const data = parsePromptFile(file.text, file.path);
  const base = file.path.replace(/^.*[\\/]/, '').replace(/\.prompt$/, '');
  const name = validateName('prompt', data.name ?? base);
  if (data.body.trim() === '') throw new ValidationError(`${file.path}: the prompt body is empty`);
  analyzeTemplate(data.body, `${name} body`);
  if (data.system !== undefined) analyzeTemplate(data.system, `${name} system`);
  return { file: file.path, name, data };
}

/** A new prompt, or a new version of the one of that name (when the file differs). */
async function write(service: PromptService, scope: PromptScope, checked: CheckedFile) {
  const { data, name } = checked;
  // Everything the file says, and nothing kept from before: an import replaces.
  const fields = {
    body: data.body,
    system: data.system ?? null,
    description: data.description ?? null,
    model: data.model ?? null,
    parameters: data.parameters,
    tags: data.tags ?? [],
    variables: data.variables,
    message: data.message ?? null,
  };
  if (!(await service.findInScope(scope, name))) {
    const view = await service.create(scope, name, { ...fields, category: data.category ?? null });
    return { status: 'created' as const, version: view.version.version };
  }
  const result = await service.update(scope, name, fields);
  return {
    status: result.changed ? ('updated' as const) : ('unchanged' as const),
    version: result.version.version,
  };
}

/**
 * Imports each file: a new prompt, or a new version of the prompt of that name. A file that
 * fails is reported and the rest still import; with `atomic`, every file is checked first
 * and none is imported if one fails.
 */
export async function importPromptFiles(
  service: PromptService,
  scope: PromptScope,
  files: PromptFileText[],
  options: { atomic?: boolean } = {},
): Promise<ImportResult[]> {
  const failed = (file: string, error: unknown): ImportResult => {
    if (!(error instanceof AppError)) throw error;
    const message = error.message.startsWith(file) ? error.message : `${file}: ${error.message}`;
    return { file, name: null, status: 'failed', version: null, error: message };
  };
  if (options.atomic) {
    const checks = files.map((file) => {
      try {
        return checkFile(file);
      } catch (error) {
        return failed(file.path, error);
      }
    });
    if (checks.some((check) => 'status' in check)) {
      return checks.map((check) =>
        'status' in check
          ? check
          : { file: check.file, name: check.name, status: 'skipped', version: null, error: null },
      );
    }
  }
  const results: ImportResult[] = [];
  for (const file of files) {
    try {
      const checked = checkFile(file);
      const written = await write(service, scope, checked);
      results.push({ file: file.path, name: checked.name, ...written, error: null });
    } catch (error) {
      results.push(failed(file.path, error));
    }
  }
  return results;
}

export function exportPromptFile(view: PromptView): string {
  return formatPromptFile({
    name: view.prompt.name,
    description: view.prompt.description,
    tags: view.prompt.tags,
    category: view.prompt.category,
    version: view.version,
  });
}
