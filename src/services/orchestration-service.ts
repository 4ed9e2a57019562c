// Feature orchestration: plan (a model writes the analysis and implementation templates),
// analyze (the analysis template meets the codebase), implement (the implementation plan).
// A failed phase leaves the status as it was, with lastError set, so it can be run again.

import { randomUUID } from 'node:crypto';
import { ConflictError, ModelError, NotFoundError, ValidationError } from '../core/errors.js';
import { compileTemplate } from '../core/templating/engine.js';
import type {
  OrchestrationRepository,
  PhaseUsage,
  SessionRecord,
  SessionStatus,
} from '../db/repositories/orchestration-repository.js';
import type { ProjectRecord } from '../db/repositories/project-repository.js';
import type { CodebaseContext } from '../orchestration/context-builder.js';
import { buildManifest, changedFiles, parseManifest } from '../orchestration/context-manifest.js';
import { parseComplexity, parseTimeEstimate } from '../orchestration/estimates.js';
import { resolveTemplate } from '../orchestration/phase-templates.js';
import { ExtractionError, extractTemplates } from '../orchestration/template-processor.js';
import { type RunFlags, requireApiKey } from './model-settings.js';
import {
  type ContextEnvironment,
  type ContextFlags,
  codebaseContext,
  contextRoot,
  locateFiles,
  planView,
  projectVariables,
} from './orchestration-context.js';
import type { PromptService } from './prompt-service.js';
import type { RunService } from './run-service.js';

/** Plan answers that miss the templates are asked again this many times. */
export const PLAN_RETRIES = 2;
const ORDER: SessionStatus[] = ['planning', 'analysis', 'implementation', 'completed'];

export interface OrchestrationDeps extends ContextEnvironment {
  sessions: OrchestrationRepository;
  prompts: PromptService;
  runs: RunService;
}

export interface AnalyzeOptions {
  /** false skips the locate step (`--no-locate`). */
  locate?: boolean;
  onWarning?: (message: string) => void;
}

export interface PhaseOptions {
  flags?: RunFlags;
  signal?: AbortSignal;
  force?: boolean;
  /** Told the session as soon as it exists (a new one, before its plan is asked for). */
  onSession?: (session: SessionRecord) => void;
}

export class OrchestrationService {
  constructor(private readonly deps: OrchestrationDeps) {}

  async find(prefix: string): Promise<SessionRecord> {
    const id = prefix.trim().toLowerCase();
    if (id.length < 4) throw new ValidationError('A session id needs at least 4 characters');
    // Matched as a prefix: only the characters of an id, never a pattern.
    if (!/^[0-9a-f-]+$/.test(id)) {
      throw new ValidationError(
        `Invalid session id ${JSON.stringify(prefix)}: hex digits and dashes`,
      );
    }
    const matches = await this.deps.sessions.byPrefix(id);
    const [first] = matches;
    if (!first) {
      throw new NotFoundError(`No session with id ${id}`, {
        hint: 'see `prompt-runner orchestrate list-sessions`',
      });
    }
    if (matches.length > 1) {
      throw new ValidationError(
        `Session id ${id} is ambiguous: ${matches.map((m) => m.sessionId.slice(0, 12)).join(', ')}`,
        { hint: 'give more characters' },
      );
    }
    return first;
  }

  list(filter: { projectId?: number; status?: SessionStatus; limit: number }) {
    return this.deps.sessions.list(filter);
  }

  usage(session: SessionRecord): Promise<PhaseUsage[]> {
    return this.deps.sessions.usage(session.sessionId);
  }

  async delete(prefix: string): Promise<SessionRecord> {
    const session = await this.find(prefix);
    await this.deps.sessions.delete(session.sessionId);
    return session;
  }

  /** The orchestrator prompt for a feature: what `plan` sends, and `plan --dry-run` shows. */
  async planPrompt(project: ProjectRecord, featureRequest: string, body?: string): Promise<string> {
    const template =
      body ?? (await resolveTemplate(this.deps.prompts, { project }, 'orchestrator')).body;
    const { fileTree, repoMap } = await planView(this.deps, project, featureRequest);
    return compileTemplate(template)({
      featureRequest,
      project: projectVariables(project),
      fileTree,
      repoMap,
    });
  }

  /** Creates a session (or takes up one whose plan failed) and asks the model for the templates. */
  async plan(
    project: ProjectRecord,
    request: { featureRequest?: string; session?: string },
    options: PhaseOptions,
  ): Promise<SessionRecord> {
    this.preflight(project, options);
    const existing = request.session ? await this.find(request.session) : undefined;
    if (existing) this.checkOrder(existing, 'planning', options.force);
    const featureRequest = existing?.featureRequest ?? request.featureRequest?.trim();
    if (!featureRequest) throw new ValidationError('Describe the feature to plan');
    // Rendered before a session is created: a template that fails leaves nothing behind.
    const template = await resolveTemplate(this.deps.prompts, { project }, 'orchestrator');
    const prompt = await this.planPrompt(project, featureRequest, template.body);
    const session =
      existing ??
      (await this.deps.sessions.create({
        sessionId: randomUUID(),
        projectId: project.id,
        featureRequest,
        model: options.flags?.model ?? null,
      }));
    options.onSession?.(session);
    let question = prompt;
    let answer = '';
    try {
      for (let attempt = 0; ; attempt++) {
        // A retry must reach the model: the cached answer is the one that failed.
        const flags = attempt === 0 ? options.flags : { ...options.flags, noCache: true };
        answer = await this.ask(project, session, 'plan', question, { ...options, flags });
        try {
          const extracted = extractTemplates(answer);
          return await this.deps.sessions.update(session.sessionId, {
            status: 'analysis',
            orchestratorTemplate: template.body,
            analysisTemplate: extracted.analysisTemplate,
            implementationTemplate: extracted.implementationTemplate,
            executionNotes: extracted.executionNotes,
            planResponse: answer,
            lastError: null,
          });
        } catch (error) {
          if (!(error instanceof ExtractionError)) throw error;
          if (attempt >= PLAN_RETRIES) {
            throw new ModelError(
              `The model's answer had no usable templates after ${attempt + 1} tries: ${error.message}`,
              {
                hint: `the last answer is kept; retry with \`prompt-runner orchestrate plan --session ${session.sessionId.slice(0, 8)}\``,
              },
            );
          }
          question = `${prompt}\n\n---\nYour previous answer could not be used: ${error.message}.\nAnswer again, with both templates in <analysis_template> and <implementation_template> blocks.`;
        }
      }
    } catch (error) {
      await this.fail(session, error, { planResponse: answer || null });
      throw error;
    }
  }

  /** What the analysis would send for a feature, and why: no model call, nothing stored. */
  async context(
    project: ProjectRecord,
    featureRequest: string,
    flags: ContextFlags,
  ): Promise<CodebaseContext> {
    if (!featureRequest.trim())
      throw new ValidationError('Describe the feature to find context for');
    return codebaseContext(this.deps, project, featureRequest, {
      ...flags,
      model: flags.model ?? this.modelFor(project, null),
    });
  }

  async analyze(
    prefix: string,
    options: PhaseOptions & ContextFlags & AnalyzeOptions,
  ): Promise<{ session: SessionRecord; context: CodebaseContext }> {
    const session = await this.find(prefix);
    this.checkOrder(session, 'analysis', options.force);
    const project = await this.project(session);
    // A root that is not there is bad input: refused before the session records anything.
    contextRoot(this.deps.cwd, project, options.root);
    this.preflight(project, options);
    try {
      const flags = { ...options, model: this.modelFor(project, session.model, options.flags) };
      const located =
        options.locate === false
          ? null
          : await locateFiles(this.deps, project, session.featureRequest, flags, (prompt) =>
              this.ask(project, session, 'locate', prompt, options),
            );
      const context = await codebaseContext(this.deps, project, session.featureRequest, {
        ...flags,
        requested: located?.files,
      });
      context.skipped.push(...(located?.refused ?? []));
      const prompt = compileTemplate(session.analysisTemplate ?? '')({
        featureRequest: session.featureRequest,
        project: projectVariables(project),
        fileTree: context.fileTree,
        repoMap: context.repoMap,
        codebaseContext: context.codebaseContext,
      });
      const answer = await this.ask(project, session, 'analyze', prompt, options);
      const manifest = await buildManifest(context);
      const updated = await this.deps.sessions.update(session.sessionId, {
        status: 'implementation',
        contextManifest: JSON.stringify(manifest),
        analysisResults: answer,
        complexity: parseComplexity(answer),
        timeEstimate: parseTimeEstimate(answer),
        implementationResult: null,
        lastError: null,
      });
      return { session: updated, context };
    } catch (error) {
      await this.fail(session, error);
      throw error;
    }
  }

  /** The implementation prompt, as a coding agent would be given it. */
  async implementationPrompt(session: SessionRecord): Promise<string> {
    const project = await this.project(session);
    return compileTemplate(session.implementationTemplate ?? '')({
      featureRequest: session.featureRequest,
      project: projectVariables(project),
      analysisResults: session.analysisResults ?? '',
      complexity: session.complexity ?? '',
      timeEstimate: session.timeEstimate ?? '',
      executionNotes: session.executionNotes ?? '',
    });
  }

  /** Files the analysis read that have changed since (the plan may be out of date). */
  async staleContext(session: SessionRecord) {
    const manifest = parseManifest(session.contextManifest);
    return manifest ? changedFiles(manifest) : [];
  }

  async implement(
    prefix: string,
    options: PhaseOptions & {
      promptOnly?: boolean;
      onStale?: (files: { path: string; change: string }[]) => void;
    },
  ) {
    const session = await this.find(prefix);
    this.checkOrder(session, 'implementation', options.force || options.promptOnly);
    const prompt = await this.implementationPrompt(session);
    const stale = await this.staleContext(session);
    if (stale.length > 0) options.onStale?.(stale);
    if (options.promptOnly) return { session, prompt };
    const project = await this.project(session);
    this.preflight(project, options);
    try {
      const answer = await this.ask(project, session, 'implement', prompt, options);
      const updated = await this.deps.sessions.update(session.sessionId, {
        status: 'completed',
        implementationResult: answer,
        lastError: null,
      });
      return { session: updated, prompt };
    } catch (error) {
      await this.fail(session, error);
      throw error;
    }
  }

  /** Refuses a phase run out of order, naming the command to run instead. */
  private checkOrder(
    session: SessionRecord,
    phase: SessionStatus,
    force: boolean | undefined,
  ): void {
    const id = session.sessionId.slice(0, 8);
    const at = ORDER.indexOf(session.status);
    const wanted = ORDER.indexOf(phase);
    const command = {
      planning: `plan --session ${id}`,
      analysis: `analyze ${id}`,
      implementation: `implement ${id}`,
      completed: `show ${id}`,
    }[session.status];
    if (at < wanted) {
      throw new ConflictError(`Session ${id} is at the ${session.status} phase`, {
        hint: `run \`prompt-runner orchestrate ${command}\` first`,
      });
    }
    if (at > wanted && !force) {
      const replaces = {
        planning: 'the templates',
        analysis: 'the analysis',
        implementation: 'the implementation plan',
        completed: '',
      }[phase];
      throw new ConflictError(`Session ${id} has done this phase already`, {
        hint: `--force runs it again and replaces ${replaces}`,
      });
    }
  }

  /** Refuses a phase that could not call a model (no API key) before it changes anything. */
  private preflight(project: ProjectRecord, options: PhaseOptions): void {
    const probe = this.deps.runs.prepareText(
      { project },
      { system: null, user: '', variables: {} },
      { model: null, parameters: {} },
      { flags: options.flags },
    );
    requireApiKey(probe.settings);
  }

  private async ask(
    project: ProjectRecord,
    session: SessionRecord,
    phase: 'plan' | 'locate' | 'analyze' | 'implement',
    prompt: string,
    options: PhaseOptions,
  ): Promise<string> {
    const call = this.deps.runs.prepareText(
      { project },
      { system: null, user: prompt, variables: { featureRequest: session.featureRequest } },
      { model: session.model, parameters: {} },
      { flags: options.flags, links: { sessionId: session.sessionId, phase } },
    );
    const result = await this.deps.runs.execute(call, { signal: options.signal });
    return result.output;
  }

  private async fail(
    session: SessionRecord,
    error: unknown,
    extra: { planResponse?: string | null } = {},
  ) {
    // An unexpected error too: the session shows that its phase failed, and why.
    const message = error instanceof Error ? error.message : String(error);
    try {
      await this.deps.sessions.update(session.sessionId, { lastError: message, ...extra });
    } catch {
      // The phase's own error is the one to report.
    }
  }

  private async project(session: SessionRecord): Promise<ProjectRecord> {
    const scope = await this.deps.prompts.scope(session.projectName);
    return scope.project as ProjectRecord;
  }

  /** The model a phase's call would use (flag > session > prompt > project > config > env). */
  private modelFor(project: ProjectRecord, sessionModel: string | null, flags?: RunFlags): string {
    const probe = this.deps.runs.prepareText(
      { project },
      { system: null, user: '', variables: {} },
      { model: sessionModel, parameters: {} },
      { flags },
    );
    return probe.settings.model;
  }
}
