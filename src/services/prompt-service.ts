// Prompts: named Handlebars templates in a project (or global), versioned on every change,
// parsed when saved, rendered with variables and with other prompts as partials.
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { validatePromptName } from '../core/names.js';
import { analyzeTemplate } from '../core/templating/engine.js';
import type { PromptMessage } from '../core/templating/messages.js';
import { isUniqueViolation } from '../db/errors.js';
import type { ProjectRecord, ProjectRepository } from '../db/repositories/project-repository.js';
import type {
  PromptMetadata,
  PromptParameters,
  PromptRecord,
  PromptRepository,
  PromptVersionRecord,
  VariableSpec,
} from '../db/repositories/prompt-repository.js';
import { ORCHESTRATION_CATEGORY } from '../orchestration/constants.js';
import { collectPartials } from './prompt-partials.js';
import { parsePromptRef, whatExists } from './prompt-ref.js';
import { compilePrompt, type RenderExtras, schemasOf } from './prompt-template.js';
import { buildVariables } from './prompt-variables.js';

const MAX_UPDATE_ATTEMPTS = 20;

export { ORCHESTRATION_CATEGORY };

/** Where prompts live: a project, or the global scope when `project` is null. */
export interface PromptScope {
  project: ProjectRecord | null;
}

export interface PromptInput {
  body: string;
  system?: string | null;
  description?: string | null;
  model?: string | null;
  parameters?: PromptParameters;
  tags?: string[];
  category?: string | null;
  /** Declared variables (defaults, descriptions); the templates' own are added. */
  variables?: VariableSpec[];
  /** The `.prompt` front matter beyond the columns. */
  metadata?: PromptMetadata;
  /** A `.prompt` file of front matter only: Dotprompt accepts it. */
  allowEmptyBody?: boolean;
  message?: string | null;
}

export interface PromptChanges {
  body?: string;
  system?: string | null;
  description?: string | null;
  model?: string | null;
  parameters?: PromptParameters;
  tags?: string[];
  variables?: VariableSpec[];
  metadata?: PromptMetadata;
  allowEmptyBody?: boolean;
  message?: string | null;
}

export interface PromptView {
  prompt: PromptRecord;
  version: PromptVersionRecord;
  /** The label the version was named by, when it was. */
  label?: string;
}

/** A version's text rewritten, not stored (an optimization's candidate). */
export interface PromptDraft {
  body: string;
  system: string | null;
}

export interface UpdateResult extends PromptView {
  /** False when nothing differed from the latest version. */
  changed: boolean;
}

export interface RenderedPrompt {
  name: string;
  version: number;
  /** The text of the first system message, or null. */
  system: string | null;
  /** The text of the last user message. */
  user: string;
  messages: PromptMessage[];
  model: string | null;
  parameters: PromptParameters;
  variables: Record<string, unknown>;
  /** The front matter beyond the columns (output schema, tools, extension fields…). */
  metadata: PromptMetadata;
  /** `input.schema` and `output.schema` as JSON Schema (Picoschema converted), or null. */
  schemas: { input: Record<string, unknown> | null; output: Record<string, unknown> | null };
}

export interface PromptRenderer {
  view: PromptView;
  render(variables: Record<string, unknown>, extras?: RenderExtras): RenderedPrompt;
}

export interface PromptServiceDeps {
  prompts: PromptRepository;
  projects: ProjectRepository;
}

export class PromptService {
  constructor(private readonly deps: PromptServiceDeps) {}

  /** The scope of a project name, or the global scope for null. */
  async scope(projectName: string | null): Promise<PromptScope> {
    if (projectName === null) return { project: null };
    const project = await this.deps.projects.findByName(projectName);
    if (!project) {
      throw new NotFoundError(`Project "${projectName}" not found`, {
        hint: 'see `prompt-runner project list`',
      });
    }
    return { project };
  }

  async create(scope: PromptScope, name: string, input: PromptInput): Promise<PromptView> {
    const variant = input.metadata?.variant;
    const validName = validatePromptName(name, typeof variant === 'string' ? variant : undefined);
    const templates = checkTemplates(input.body, input.system ?? null, input.allowEmptyBody);
    const projectId = scope.project?.id ?? null;
    if (await this.deps.prompts.find(projectId, validName)) throw duplicate(validName, scope);
    try {
      const prompt = await this.deps.prompts.create(
        {
          projectId,
          name: validName,
          description: input.description ?? null,
          category: input.category ?? null,
          tags: input.tags ?? [],
        },
        {
          ...templates,
          variables: buildVariables(templates, input.variables),
          model: input.model ?? null,
          parameters: input.parameters ?? {},
          metadata: input.metadata ?? {},
          message: input.message ?? null,
        },
      );
      return { prompt, version: prompt.latest };
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicate(validName, scope);
      throw error;
    }
  }

  /**
   * Prompts of the scope, then the global ones it can use (those its own names do not hide);
   * orchestration templates only when asked.
   */
  async list(scope: PromptScope, options: { all?: boolean } = {}): Promise<PromptRecord[]> {
    const own = await this.deps.prompts.list(scope.project?.id ?? null);
    const names = new Set(own.map((p) => p.name));
    const globals = scope.project
      ? (await this.deps.prompts.list(null)).filter((p) => !names.has(p.name))
      : [];
    const prompts = [...own, ...globals];
    return options.all ? prompts : prompts.filter((p) => p.category !== ORCHESTRATION_CATEGORY);
  }

  /** Changes whenever the prompt library does (any scope): for servers that tell clients. */
  fingerprint(): Promise<string> {
    return this.deps.prompts.fingerprint();
  }

  /** The prompt of that name in the scope itself (no global fallback), if any. */
  findInScope(scope: PromptScope, name: string): Promise<PromptRecord | null> {
    return this.deps.prompts.find(scope.project?.id ?? null, name);
  }

  /** The prompt, found in the project first and then among global prompts. */
  async find(scope: PromptScope, name: string): Promise<PromptRecord> {
    const inProject = scope.project ? await this.deps.prompts.find(scope.project.id, name) : null;
    const prompt = inProject ?? (await this.deps.prompts.find(null, name));
    if (!prompt) {
      const where = scope.project ? ` in project "${scope.project.name}"` : ' among global prompts';
      throw new NotFoundError(`Prompt "${name}" not found${where}`, {
        hint: 'see `prompt-runner prompt list`',
      });
    }
    return prompt;
  }

  /**
   * A prompt to change or delete: reading a project's prompts also finds the global ones,
   * but changing one of those from a project would change it for every project.
   */
  async findOwn(scope: PromptScope, name: string): Promise<PromptRecord> {
    const prompt = await this.find(scope, name);
    if (scope.project && prompt.projectId === null) {
      throw new ValidationError(`Prompt "${name}" is a global prompt, shared by every project`, {
        hint: 'pass --global to change it',
      });
    }
    return prompt;
  }

  /**
   * A version of a prompt named by a reference: `name` (the latest version), `name@3`,
   * `name@production` (a label); or by `version` (the --version flag).
   */
  async get(scope: PromptScope, reference: string, version?: number): Promise<PromptView> {
    const ref = parsePromptRef(reference);
    if (version !== undefined && (ref.label || (ref.version ?? version) !== version)) {
      throw new ValidationError(
        `${JSON.stringify(reference)} and --version ${version} name different versions`,
        { hint: 'give the version once, as name@N or with --version' },
      );
    }
    const prompt = await this.find(scope, ref.name);
    const label = ref.label ? prompt.labels.find((l) => l.name === ref.label) : undefined;
    if (ref.label && !label) {
      throw new NotFoundError(`Prompt "${prompt.name}" has no label "${ref.label}"`, {
        hint: whatExists(prompt),
      });
    }
    const number = label?.version ?? ref.version ?? version;
    if (number === undefined || number === prompt.latest.version) {
      return { prompt, version: prompt.latest, ...(label ? { label: label.name } : {}) };
    }
    const found = await this.deps.prompts.version(prompt.id, number);
    if (!found) {
      throw new NotFoundError(`Prompt "${prompt.name}" has no version ${number}`, {
        hint: whatExists(prompt),
      });
    }
    return { prompt, version: found, ...(label ? { label: label.name } : {}) };
  }

  /** A new version when the body, system, model, parameters or variables change. */
  async update(scope: PromptScope, name: string, changes: PromptChanges): Promise<UpdateResult> {
    if (Object.values(changes).every((value) => value === undefined)) {
      throw new ValidationError('Nothing to update', {
        hint: 'give --file, --body, --system, --model, a parameter, --description or --tag',
      });
    }
    let prompt = await this.findOwn(scope, name);
    const promptChanged =
      (changes.description !== undefined && changes.description !== prompt.description) ||
      (changes.tags !== undefined && !sameJson(changes.tags, prompt.tags));
    if (promptChanged) {
      await this.deps.prompts.update(prompt.id, {
        description: changes.description,
        tags: changes.tags,
      });
    }
    // The new version is built on the latest one and takes the number after it; when another
    // process took that number meanwhile, the change is made again on top of its version, so
    // neither change is lost.
    for (let attempt = 0; ; attempt++) {
      const latest = prompt.latest;
      const next = nextVersion(latest, changes);
      const versionChanged =
        next.body !== latest.body ||
        next.system !== latest.system ||
        next.model !== latest.model ||
        !sameJson(next.parameters, latest.parameters) ||
        !sameJson(next.variables, latest.variables) ||
        !sameJson(next.metadata, latest.metadata);
      const added = versionChanged
        ? await this.deps.prompts.addVersion(
            prompt.id,
            { ...next, message: changes.message ?? null },
            latest.version,
          )
        : latest;
      if (added) {
        return {
          prompt: await this.find(scope, prompt.name),
          version: added,
          changed: versionChanged || promptChanged,
        };
      }
      if (attempt >= MAX_UPDATE_ATTEMPTS) {
        throw new ConflictError(`Prompt '${name}' is being changed by another process`, {
          hint: `run \`prompt-runner prompt update ${name}\` again`,
        });
      }
      prompt = await this.findOwn(scope, name);
    }
  }

  /** Exactly what would be sent: the system and user text, rendered. */
  async render(
    scope: PromptScope,
    name: string,
    variables: Record<string, unknown>,
    version?: number,
    extras?: RenderExtras,
  ): Promise<RenderedPrompt> {
    return (await this.renderer(scope, name, version)).render(variables, extras);
  }

  /**
   * Loads a prompt version with its partials and compiles its templates once, for rendering
   * with many sets of variables (a batch).
   */
  async renderer(
    scope: PromptScope,
    name: string,
    version?: number,
    draft?: PromptDraft,
  ): Promise<PromptRenderer> {
    const stored = await this.get(scope, name, version);
    // A draft is the version with its text replaced: rendered as it would be, never stored.
    const view = draft ? { ...stored, version: { ...stored.version, ...draft } } : stored;
    const find = (name: string) => this.find(scope, name);
    const partials = await collectPartials(find, view.prompt.name, view.version);
    const { version: v } = view;
    const render = await compilePrompt({ name: view.prompt.name, ...v, partials });
    const schemas = await schemasOf(v.metadata);
    return {
      view,
      render: (variables, extras) => ({
        name: view.prompt.name,
        version: v.version,
        ...render(variables, extras),
        model: v.model,
        parameters: v.parameters,
        metadata: v.metadata,
        schemas,
      }),
    };
  }

  async delete(scope: PromptScope, name: string): Promise<PromptRecord> {
    const prompt = await this.findOwn(scope, name);
    await this.deps.prompts.delete(prompt.id);
    return prompt;
  }
}

/** Parses both templates (so a broken one is refused when saved); refuses an empty body. */
/** The settings of a version made by applying the changes to `latest`. */
function nextVersion(latest: PromptVersionRecord, changes: PromptChanges) {
  const body = changes.body ?? latest.body;
  const system = changes.system !== undefined ? changes.system : latest.system;
  const templates = checkTemplates(body, system, changes.allowEmptyBody);
  return {
    ...templates,
    variables: buildVariables(templates, changes.variables ?? declaredOf(latest.variables)),
    model: changes.model !== undefined ? changes.model : latest.model,
    parameters: changes.parameters ?? latest.parameters,
    metadata: changes.metadata ?? latest.metadata,
  };
}

function checkTemplates(body: string, system: string | null, allowEmptyBody = false) {
  if (body.trim() === '' && !allowEmptyBody) {
    throw new ValidationError('The prompt body is empty', {
      hint: 'give it with --file, --body or on stdin',
    });
  }
  analyzeTemplate(body, 'body');
  if (system !== null) analyzeTemplate(system, 'system');
  return { body, system };
}

/** Variables that carry a declaration; the rest are found again in the templates. */
function declaredOf(specs: VariableSpec[]): VariableSpec[] {
  return specs.filter((spec) => spec.default !== undefined || spec.description !== undefined);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function duplicate(name: string, scope: PromptScope): ConflictError {
  const where = scope.project ? ` in project "${scope.project.name}"` : ' among global prompts';
  return new ConflictError(`Prompt "${name}" already exists${where}`, {
    hint: `change it with \`prompt-runner prompt update ${name}\``,
  });
}
