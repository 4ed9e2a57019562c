// Import and export of `.prompt` files.
import { AppError, ValidationError } from '../core/errors.js';
import { validatePromptName } from '../core/names.js';
import { analyzeTemplate } from '../core/templating/engine.js';
import {
  formatPromptFile,
  PARTIAL_KEY,
  PROMPT_FILE_EXTENSION,
  type PromptFileData,
  parsePromptFile,
} from './prompt-file.js';
import type { PromptScope, PromptService, PromptView } from './prompt-service.js';
import { schemasOf } from './prompt-template.js';
import { outputSpecOf } from './structured-run.js';

export interface PromptFileText {
  /** The path as the user should see it. */
  path: string;
  /** The path inside the imported folder (folders become part of the name); else the file's name. */
  within?: string;
  text: string;
  /** Why the file is not read (a link in a folder). */
  refused?: string;
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

/**
 * Parses a file and its templates, and names it as Dotprompt does: the path inside the folder
 * without `.prompt` (`emails/welcome`), `name.variant.prompt` a variant of `name`, and
 * `_name.prompt` a partial named `name`. A front matter `name` or `variant` wins.
 */
function checkFile(file: PromptFileText): CheckedFile {
  if (file.refused) throw new ValidationError(`${file.path} ${file.refused}`);
  const data = parsePromptFile(file.text, file.path);
  const within = (file.within ?? file.path.replace(/^.*[\\/]/, '')).replaceAll('\\', '/');
  const stem = within.endsWith(PROMPT_FILE_EXTENSION)
    ? within.slice(0, -PROMPT_FILE_EXTENSION.length)
    : within;
  const slash = stem.lastIndexOf('/');
  const folder = stem.slice(0, slash + 1);
  let base = stem.slice(slash + 1);
  const partial = base.startsWith('_');
  if (partial) base = base.slice(1);
  const dot = base.indexOf('.');
  const fileVariant = dot >= 0 ? base.slice(dot + 1) : undefined;
  if (dot >= 0) base = base.slice(0, dot);
  const variant = data.variant ?? fileVariant;
  const plain = data.name ?? `${folder}${base}`;
  const name = validatePromptName(variant ? `${plain}.${variant}` : plain, variant);
  if (variant !== undefined) data.metadata.variant = variant;
  if (partial) data.metadata[PARTIAL_KEY] = true;
  if (data.body.trim() === '' && !data.hasFrontMatter) {
    throw new ValidationError(`${file.path}: the prompt body is empty`);
  }
  analyzeTemplate(data.body, `${name} body`);
  if (data.system !== undefined) analyzeTemplate(data.system, `${name} system`);
  return { file: file.path, name, data };
}

/**
 * The schemas and output format a file gives, checked as a render would use them, so that a
 * prompt no render can use is refused when imported. A type named in capitals (`schema:
 * Recipe`) is a schema Genkit registers in code: kept, and named when a render needs it.
 */
async function checkSchemas(data: PromptFileData): Promise<void> {
  let schemas: Awaited<ReturnType<typeof schemasOf>>;
  try {
    schemas = await schemasOf(data.metadata);
  } catch (error) {
    if (/unsupported scalar type '[A-Z]/.test((error as Error).message)) return;
    throw error;
  }
  await outputSpecOf(data.metadata);
  const defaults = Object.fromEntries(
    data.variables.filter((v) => v.default !== undefined).map((v) => [v.name, v.default]),
  );
  if (schemas.input?.type === 'object' && Object.keys(defaults).length > 0) {
    const { validateInputs } = await import('./input-schema.js');
    // Defaults are some of the inputs: each must have its type, none is required.
    try {
      validateInputs({ ...schemas.input, required: [] }, defaults);
    } catch (error) {
      throw new ValidationError(`input.default: ${(error as Error).message}`);
    }
  }
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
    metadata: data.metadata,
    allowEmptyBody: true,
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
  // Two files of one import never become versions of one prompt.
  const claimed = new Map<string, string>();
  const check = async (file: PromptFileText) => {
    const checked = checkFile(file);
    await checkSchemas(checked.data);
    const other = claimed.get(checked.name);
    if (other !== undefined && other !== file.path) {
      throw new ValidationError(
        `${file.path}: names the same prompt "${checked.name}" as ${other}; rename one, or give it a \`name:\``,
      );
    }
    claimed.set(checked.name, file.path);
    return checked;
  };
  if (options.atomic) {
    const checks: (CheckedFile | ImportResult)[] = [];
    for (const file of files) {
      try {
        checks.push(await check(file));
      } catch (error) {
        checks.push(failed(file.path, error));
      }
    }
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
      const checked = await check(file);
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
