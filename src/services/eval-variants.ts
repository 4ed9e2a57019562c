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
import type { PromptScope, PromptService } from './prompt-service.js';
import type { RenderExtras } from './prompt-template.js';
import type { RecordWriter } from './record-writer.js';
import type { RunService } from './run-service.js';
import type { PreparedCall } from './run-types.js';

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

export async function buildVariants(
  spec: EvalFile,
  scope: PromptScope,
  dirs: { baseDir: string; root: string },
  deps: Deps,
  options: { noCache?: boolean },
): Promise<Variant[]> {
  const models: (ModelSpec | undefined)[] = spec.models ?? [undefined];
  const variants: Variant[] = [];
  for (const prompt of spec.prompts) {
    for (const model of models) {
      const {
        model: name,
        id,
        temperature,
        maxTokens,
      } = typeof model === 'string' ? { model, id: undefined } : (model ?? {});
      const flags = { model: name, temperature, maxTokens, noCache: options.noCache };
      const source = typeof prompt === 'string' ? prompt : prompt.file;
      const isFile = typeof prompt !== 'string' || source.endsWith('.prompt');
      const { preparer, version, ...prepared } = isFile
        ? await filePreparer(
            evalFilePath(dirs.root, dirs.baseDir, source, 'prompt file'),
            scope,
            deps.runs,
            flags,
          )
        : await storedPreparer(source, scope, deps, flags);
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

async function storedPreparer(
  reference: string,
  scope: PromptScope,
  deps: Deps,
  flags: object,
): Promise<Prepared> {
  const view = await deps.prompts.get(scope, reference);
  const pinned = `${view.prompt.name}@${view.version.version}`;
  const preparer = await deps.runs.preparer(scope, pinned, { flags });
  return { preparer, settings: preparer.settings, version: view.version.version };
}

async function filePreparer(
  path: string,
  scope: PromptScope,
  runs: RunService,
  flags: object,
): Promise<Prepared> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read the prompt file ${path}: ${cannotReadReason(error)}`);
  }
  const preparer = await runs.filePreparer(scope, parsePromptFile(text, path), path, { flags });
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

/**
 * The grader of model-graded assertions: its calls are recorded as executions of phase
 * `grade`, answered from the cache when the same answer was graded before, and sent to the
 * grader's own endpoint with its own key when it names them.
 */
export function buildGrader(
  model: ModelSpec,
  scope: PromptScope,
  deps: Deps,
): (writer: RecordWriter, signal?: AbortSignal) => Grade {
  const spec = typeof model === 'string' ? { model } : model;
  const prompt = { model: spec.model, parameters: { temperature: spec.temperature ?? 0 } };
  const flags = { model: spec.model, json: true };
  const text = (call: GraderCall) => ({ system: call.system, user: call.user, variables: {} });
  const probe = deps.runs.prepareText(scope, text({ system: '', user: '' }), prompt, { flags });
  const { cached } = endpoint(probe.settings, model, deps.env);
  return (writer, signal) => async (call) => {
    const prepared = deps.runs.prepareText(scope, text(call), prompt, {
      flags,
      links: { phase: 'grade' },
    });
    const answer = await deps.runs.execute({ ...prepared, settings: cached }, { writer, signal });
    return answer.output;
  };
}
