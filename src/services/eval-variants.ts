// The variants of an eval: each prompt it names × each model. Stored prompts are resolved
// once, when the run starts (a label then moving does not change the run); `.prompt` files
// are read and rendered without being stored. A model with its own endpoint sends only the
// key its `apiKeyEnv` names, and only there.
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../core/errors.js';
import { cannotReadReason } from '../core/fs.js';
import type { EvalFile, ModelSpec } from '../evals/eval-file.js';
import type { Grade, GraderCall } from '../evals/graders.js';
import { evalFilePath } from '../evals/paths.js';
import type { VariantConfig } from '../evals/summary.js';
import { endpointSettings, type ResolvedSettings } from './model-settings.js';
import { parsePromptFile } from './prompt-file.js';
import type { PromptDraft, PromptScope, PromptService } from './prompt-service.js';
import type { RenderExtras } from './prompt-template.js';
import type { RecordWriter } from './record-writer.js';
import type { RunService } from './run-service.js';
import type { CallBudget, CallLinks, PreparedCall } from './run-types.js';

export interface Variant {
  config: VariantConfig;
  /** The call for a case's vars; repeats after the first never take a cached answer. */
  prepare(vars: Record<string, unknown>, repeat: number, extras?: RenderExtras): PreparedCall;
}

type Preparer = (vars: Record<string, unknown>, extras?: RenderExtras) => PreparedCall;

interface Prepared {
  preparer: Preparer;
  /** The settings its calls have: the model, parameters and endpoint. */
  settings: ResolvedSettings;
  version: number | null;
}

interface Deps {
  prompts: PromptService;
  runs: RunService;
  env: NodeJS.ProcessEnv;
}

/** An eval file, read: its cases and `.prompt` files are found from `dirs`. */
export interface EvalSource {
  spec: EvalFile;
  file: string;
  definition: string;
  scope: PromptScope;
  dirs: { baseDir: string; root: string };
}

/** A stored version with its text rewritten: measured in place of the eval's own prompts. */
export interface DraftSource {
  name: string;
  version: number;
  /** The rewritten text; null: the version as stored (its calls then name it). */
  draft: PromptDraft | null;
  /** How its variants are named (`greet · r1c2`). */
  label: string;
}

export interface VariantOptions {
  noCache?: boolean;
  /** What every call belongs to (an optimization). */
  links?: CallLinks;
  /** Measure this draft instead of the prompts the file names. */
  draft?: DraftSource;
}

export async function buildVariants(
  spec: EvalFile,
  scope: PromptScope,
  dirs: { baseDir: string; root: string },
  deps: Deps,
  options: VariantOptions,
): Promise<Variant[]> {
  const models: (ModelSpec | undefined)[] = spec.models ?? [undefined];
  const variants: Variant[] = [];
  const { draft, links } = options;
  for (const prompt of draft ? [draft.label] : spec.prompts) {
    for (const model of models) {
      const {
        model: name,
        id,
        temperature,
        maxTokens,
      } = typeof model === 'string' ? { model, id: undefined } : (model ?? {});
      const flags = { model: name, temperature, maxTokens, noCache: options.noCache };
      const source = typeof prompt === 'string' ? prompt : prompt.file;
      const isFile = !draft && (typeof prompt !== 'string' || source.endsWith('.prompt'));
      const { preparer, version, ...prepared } = draft
        ? await draftPreparer(draft, scope, deps.runs, { flags, links })
        : isFile
          ? await filePreparer(
              evalFilePath(dirs.root, dirs.baseDir, source, 'prompt file'),
              scope,
              deps.runs,
              { flags, links },
            )
          : await storedPreparer(source, scope, deps, { flags, links });
      const settings = endpoint(prepared.settings, model, deps.env);
      variants.push({
        config: {
          prompt: source,
          version,
          model: settings.fresh.model,
          label: `${source} · ${id ?? settings.fresh.model}`,
        },
        prepare: (vars, repeat, extras) => {
          const call = preparer(vars, extras);
          return { ...call, settings: repeat > 0 ? settings.fresh : settings.cached };
        },
      });
    }
  }
  return variants;
}

type CallOptions = { flags: object; links?: CallLinks };

async function storedPreparer(
  reference: string,
  scope: PromptScope,
  deps: Deps,
  options: CallOptions,
): Promise<Prepared> {
  const view = await deps.prompts.get(scope, reference);
  const pinned = `${view.prompt.name}@${view.version.version}`;
  const preparer = await deps.runs.preparer(scope, pinned, options);
  return { preparer, settings: preparer.settings, version: view.version.version };
}

async function draftPreparer(
  source: DraftSource,
  scope: PromptScope,
  runs: RunService,
  options: CallOptions,
): Promise<Prepared> {
  const { name, version, draft } = source;
  const preparer = draft
    ? await runs.draftPreparer(scope, name, version, draft, options)
    : await runs.preparer(scope, `${name}@${version}`, options);
  return { preparer, settings: preparer.settings, version: draft ? null : version };
}

async function filePreparer(
  path: string,
  scope: PromptScope,
  runs: RunService,
  options: CallOptions,
): Promise<Prepared> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read the prompt file ${path}: ${cannotReadReason(error)}`);
  }
  const preparer = await runs.filePreparer(scope, parsePromptFile(text, path), path, options);
  return { preparer, settings: preparer.settings, version: null };
}

/**
 * The settings every call of a variant shares (one object, so its calls share one client):
 * the model's own endpoint and key when it names them; one that may answer from the cache,
 * one that never does.
 */
function endpoint(
  base: ResolvedSettings,
  model: ModelSpec | undefined,
  env: NodeJS.ProcessEnv,
): { cached: ResolvedSettings; fresh: ResolvedSettings } {
  const own =
    typeof model === 'object' && model.baseUrl && model.apiKeyEnv
      ? endpointSettings(model.baseUrl, model.apiKeyEnv, env)
      : undefined;
  // The configured endpoint's key goes to its own host only, whatever a file names.
  if (own && own.keyName === base.keyName && own.baseUrlHost !== base.baseUrlHost) {
    throw new ValidationError(
      `The model ${(model as { model: string }).model} would send ${own.keyName}, the key of ${base.baseUrlHost}, to ${own.baseUrlHost}`,
      { hint: 'name a variable of its own in apiKeyEnv' },
    );
  }
  const cached = { ...base, ...own };
  return { cached, fresh: { ...cached, cacheRead: false } };
}

/** Makes the grader of a run; its calls' settings (model, endpoint, max tokens) are known. */
export type GraderFactory = ((
  writer: RecordWriter,
  signal?: AbortSignal,
  budget?: CallBudget,
) => Grade) & { settings: ResolvedSettings };

/**
 * The grader of model-graded assertions: its calls are recorded as executions of phase
 * `grade`, answered from the cache when the same answer was graded before, and sent to the
 * grader's own endpoint with its own key when it names them.
 */
export function buildGrader(
  model: ModelSpec,
  scope: PromptScope,
  deps: Deps,
  links?: CallLinks,
): GraderFactory {
  const spec = typeof model === 'string' ? { model } : model;
  const parameters = { temperature: spec.temperature ?? 0, maxTokens: spec.maxTokens };
  const prompt = { model: spec.model, parameters };
  const flags = { model: spec.model, json: true };
  const text = (call: GraderCall) => ({ system: call.system, user: call.user, variables: {} });
  const probe = deps.runs.prepareText(scope, text({ system: '', user: '' }), prompt, { flags });
  const { cached } = endpoint(probe.settings, model, deps.env);
  const factory =
    (writer: RecordWriter, signal?: AbortSignal, budget?: CallBudget): Grade =>
    async (call) => {
      const prepared = deps.runs.prepareText(scope, text(call), prompt, {
        flags,
        links: { ...links, phase: 'grade' },
      });
      const answer = await deps.runs.execute(
        { ...prepared, settings: cached },
        { writer, signal, budget },
      );
      return answer.output;
    };
  return Object.assign(factory, { settings: cached });
}
