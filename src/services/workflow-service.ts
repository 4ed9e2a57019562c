// Workflows: stored YAML definitions, runs of them (recorded step by step), and resumption of
// runs that did not finish.
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { validateName } from '../core/names.js';
import { compileTemplate } from '../core/templating/engine.js';
import type { ProjectRecord } from '../db/repositories/project-repository.js';
import type {
  RunRecord,
  WorkflowRecord,
  WorkflowRepository,
} from '../db/repositories/workflow-repository.js';
import { type EngineResult, runEngine, type StepEvent } from '../workflows/engine.js';
import { WorkflowInvalidError } from '../workflows/errors.js';
import { resolveInputs } from '../workflows/inputs.js';
import { alive, definitionHash, templateContext } from '../workflows/run-helpers.js';
import type { WorkflowStep } from '../workflows/schema.js';
import { runWorkflowStep } from '../workflows/step-runner.js';
import {
  type ValidatedWorkflow,
  type ValidationResult,
  validateWorkflow,
} from '../workflows/validate.js';
import { ConnectGuard } from './connect-guard.js';
import { type RunFlags, requireApiKey } from './model-settings.js';
import type { PromptScope, PromptService } from './prompt-service.js';
import type { RunService } from './run-service.js';
import { checkPromptReferences } from './workflow-prompts.js';

export interface WorkflowServiceDeps {
  workflows: WorkflowRepository;
  prompts: PromptService;
  runs: RunService;
}

export interface RunOptions {
  concurrency: number;
  flags?: RunFlags;
  signal?: AbortSignal;
  onEvent?: (event: StepEvent) => void;
  /** Told the steps in order once the run is set up. */
  onStart?: (stepIds: string[]) => void;
}

export interface RunSummary {
  runId: string;
  status: EngineResult['status'];
  outputs: Record<string, unknown>;
  error: string | null;
  steps: { id: string; status: string; output: unknown; executionId: string | null }[];
}

export { WorkflowInvalidError };

export class WorkflowService {
  constructor(private readonly deps: WorkflowServiceDeps) {}

  /**
   * Checks a file; stored prompts are looked up in the project (and global ones), at the
   * version or label a step names.
   */
  async validate(text: string, scope: PromptScope): Promise<ValidationResult> {
    // Stored prompts are looked up only when a step could name one.
    if (!/\bprompt\s*:/.test(text)) return validateWorkflow(text);
    return validateWorkflow(text, await checkPromptReferences(text, scope, this.deps.prompts));
  }

  private async checked(text: string, scope: PromptScope): Promise<ValidatedWorkflow> {
    const result = await this.validate(text, scope);
    if (!result.workflow) throw new WorkflowInvalidError(result.problems);
    return result.workflow;
  }

  async create(project: ProjectRecord, name: string, text: string): Promise<WorkflowRecord> {
    const valid = validateName('workflow', name);
    const workflow = await this.checked(text, { project });
    if (await this.deps.workflows.find(project.id, valid)) {
      throw new ConflictError(`Workflow "${valid}" already exists in project "${project.name}"`, {
        hint: `change it with \`prompt-runner workflow update ${valid} --file …\``,
      });
    }
    return this.deps.workflows.create({
      projectId: project.id,
      name: valid,
      description: workflow.file.description ?? null,
      definition: text,
    });
  }

  async update(project: ProjectRecord, name: string, text: string): Promise<WorkflowRecord> {
    const existing = await this.get(project, name);
    const workflow = await this.checked(text, { project });
    if (existing.definition === text) return existing;
    return this.deps.workflows.update(existing.id, {
      description: workflow.file.description ?? null,
      definition: text,
    });
  }

  async get(project: ProjectRecord, name: string): Promise<WorkflowRecord> {
    const workflow = await this.deps.workflows.find(project.id, name);
    if (!workflow) {
      throw new NotFoundError(`Workflow "${name}" not found in project "${project.name}"`, {
        hint: 'see `prompt-runner workflow list`',
      });
    }
    return workflow;
  }

  list(project: ProjectRecord): Promise<WorkflowRecord[]> {
    return this.deps.workflows.list(project.id);
  }

  async delete(project: ProjectRecord, name: string): Promise<WorkflowRecord> {
    const workflow = await this.get(project, name);
    await this.deps.workflows.delete(workflow.id);
    return workflow;
  }

  /** Runs a stored workflow or the text of a file, recording the run and each step. */
  async run(
    project: ProjectRecord,
    source: { stored: WorkflowRecord } | { text: string },
    givenInputs: Record<string, unknown>,
    options: RunOptions,
  ): Promise<RunSummary> {
    const scope = { project };
    // Load the model client while the run is set up: the first step needs it.
    const client = import('../core/model-client/client.js');
    const text = 'stored' in source ? source.stored.definition : source.text;
    const workflow = await this.checked(text, scope);
    const inputs = resolveInputs(workflow.file, givenInputs);
    this.preflight(scope, workflow, options);
    const runId = randomUUID();
    await this.deps.workflows.createRun({
      id: runId,
      workflowId: 'stored' in source ? source.stored.id : null,
      projectId: project.id,
      workflowName: workflow.file.name,
      workflowVersion: 'stored' in source ? source.stored.version : null,
      definition: text,
      inputs,
      pid: process.pid,
      stepIds: workflow.order,
    });
    options.onStart?.(workflow.order);
    await client;
    return this.drive(runId, scope, workflow, inputs, new Map(), options);
  }

  /** Re-runs the steps of a run that did not succeed, reusing the stored outputs of the rest. */
  async resume(
    runPrefix: string,
    options: RunOptions & { force?: boolean; project: ProjectRecord },
  ): Promise<RunSummary & { resumed: boolean }> {
    const run = await this.findRun(runPrefix);
    const scope = { project: options.project };
    if (run.steps.every((step) => step.status === 'succeeded')) {
      return { ...this.summary(run), resumed: false };
    }
    if (run.status === 'running' && alive(run.pid) && run.pid !== process.pid) {
      throw new ConflictError(`Run ${run.id.slice(0, 8)} is still running (process ${run.pid})`);
    }
    if (run.workflowId !== null && !options.force) {
      const current = (await this.deps.workflows.list(options.project.id)).find(
        (w) => w.id === run.workflowId,
      );
      if (current && definitionHash(current.definition) !== definitionHash(run.definition)) {
        throw new ConflictError(
          `Workflow "${run.workflowName}" changed since run ${run.id.slice(0, 8)} started`,
          { hint: 'pass --force to resume with the definition the run started with' },
        );
      }
    }
    const workflow = await this.checked(run.definition, scope);
    this.preflight(scope, workflow, options);
    const completed = new Map<string, unknown>();
    const jsonSteps = new Set(
      workflow.file.steps.filter((s) => s.output === 'json').map((s) => s.id),
    );
    for (const step of run.steps) {
      if (step.status !== 'succeeded') continue;
      completed.set(
        step.stepId,
        jsonSteps.has(step.stepId) ? JSON.parse(step.output ?? 'null') : step.output,
      );
    }
    await this.deps.workflows.updateRun(run.id, {
      status: 'running',
      error: null,
      pid: process.pid,
      finishedAt: null,
    });
    const failedBefore = new Set(
      run.steps.filter((step) => step.status === 'failed').map((step) => step.stepId),
    );
    const summary = await this.drive(run.id, scope, workflow, run.inputs, completed, options, {
      failedBefore,
    });
    return { ...summary, resumed: true };
  }

  async findRun(prefix: string): Promise<RunRecord> {
    const id = prefix.trim().toLowerCase();
    if (id.length < 4) throw new ValidationError('A run id needs at least 4 characters');
    const matches = await this.deps.workflows.runsByPrefix(id);
    const [first] = matches;
    if (!first)
      throw new NotFoundError(`No workflow run with id ${id}`, {
        hint: 'see `prompt-runner workflow runs`',
      });
    if (matches.length > 1) {
      throw new ValidationError(
        `Run id ${id} is ambiguous: ${matches.map((m) => m.id.slice(0, 12)).join(', ')}`,
        { hint: 'give more characters' },
      );
    }
    return first;
  }

  /** A run's status; a `running` run whose process is gone was interrupted. */
  status(run: RunRecord): RunRecord['status'] | 'interrupted' {
    return run.status === 'running' && !alive(run.pid) ? 'interrupted' : run.status;
  }

  listRuns(filter: {
    projectId?: number;
    workflowName?: string;
    limit: number;
  }): Promise<RunRecord[]> {
    return this.deps.workflows.listRuns(filter);
  }

  summary(run: RunRecord): RunSummary {
    return {
      runId: run.id,
      status: run.status === 'running' ? 'cancelled' : run.status,
      outputs: run.outputs ?? {},
      error: run.error,
      steps: run.steps.map((step) => ({
        id: step.stepId,
        status: step.status,
        output: step.output,
        executionId: step.executionId,
      })),
    };
  }

  /** Renders every step it can without calling a model; steps that need outputs say which. */
  async dryRun(project: ProjectRecord, text: string, givenInputs: Record<string, unknown>) {
    const workflow = await this.checked(text, { project });
    const inputs = resolveInputs(workflow.file, givenInputs);
    return workflow.order.map((id) => {
      const step = workflow.file.steps.find((s) => s.id === id) as WorkflowStep;
      const needs = [...(workflow.dependencies.get(id) ?? [])];
      if (needs.length > 0) return { id, needs, messages: null };
      if (!step.template) return { id, needs, prompt: step.prompt, messages: null };
      const context = { inputs, steps: {} };
      const messages = [];
      if (step.system)
        messages.push({ role: 'system', content: compileTemplate(step.system)(context) });
      messages.push({ role: 'user', content: compileTemplate(step.template)(context) });
      return { id, needs, messages };
    });
  }

  /** Refuses a run that could not call a model (no API key) before anything is recorded. */
  private preflight(scope: PromptScope, workflow: ValidatedWorkflow, options: RunOptions): void {
    const probe = this.deps.runs.prepareText(
      scope,
      { system: null, user: '', variables: {} },
      { model: workflow.file.model ?? null, parameters: {} },
      { flags: options.flags },
    );
    requireApiKey(probe.settings);
  }

  private async drive(
    runId: string,
    scope: PromptScope,
    workflow: ValidatedWorkflow,
    inputs: Record<string, unknown>,
    completed: Map<string, unknown>,
    options: RunOptions,
    { failedBefore = new Set<string>() }: { failedBefore?: Set<string> } = {},
  ): Promise<RunSummary> {
    const { file } = workflow;
    const store = this.deps.workflows;
    // A step's records are written in order, its call before the state that names it. A
    // finished step is written before anything that depends on it starts, so a resume after
    // a crash never repeats it. The start of an attempt waits a turn of the event loop
    // instead: answers that arrive together then start their next steps first.
    const writer = this.deps.runs.groupedWriter();
    const writes = new Map<string, Promise<void>>();
    // What the summary reports, kept as the steps change.
    const states = new Map<string, RunSummary['steps'][number]>(
      workflow.order.map((id) => [id, { id, status: 'pending', output: null, executionId: null }]),
    );
    const persist = (event: StepEvent): Promise<void> => {
      const now = new Date();
      const output = event.result?.output;
      // The call behind the step: its answer, or the attempt that failed.
      const executionId = event.result?.executionId ?? event.executionId ?? null;
      const finished = ['succeeded', 'failed', 'cancelled'].includes(event.status);
      const state = states.get(event.stepId);
      if (state) {
        state.status = event.status;
        if (event.result) {
          state.output = typeof output === 'string' ? output : JSON.stringify(output);
        }
        if (executionId) state.executionId = executionId;
      }
      const starting = event.status === 'running' && !event.error;
      const write = (writes.get(event.stepId) ?? Promise.resolve()).then(async () => {
        if (starting) await setImmediate();
        if (executionId) await writer.flush();
        await store.updateStep(runId, event.stepId, {
          status: event.status,
          attempt: event.attempt,
          ...(starting ? { startedAt: now, finishedAt: null, error: null } : {}),
          ...(event.error ? { error: event.error } : {}),
          ...(event.result
            ? { output: typeof output === 'string' ? output : JSON.stringify(output) }
            : {}),
          ...(executionId ? { executionId } : {}),
          ...(finished ? { finishedAt: now } : {}),
        });
      });
      writes.set(event.stepId, write);
      if (!starting) return write;
      // Not awaited here: a failure surfaces with the step's next write or at the run's end.
      write.catch(() => undefined);
      return Promise.resolve();
    };
    const guard = new ConnectGuard(options.concurrency);
    const result = await runEngine({
      workflow,
      inputs,
      completed,
      concurrency: options.concurrency,
      signal: options.signal,
      runStep: (step, context, attempt) =>
        guard.run(() =>
          runWorkflowStep(
            {
              runs: this.deps.runs,
              runId,
              scope,
              file,
              flags: options.flags,
              signal: options.signal,
              writer,
            },
            step,
            context,
            { attempt, failedBefore: failedBefore.has(step.id) },
          ),
        ),
      onEvent: (event) => {
        options.onEvent?.(event);
        return persist(event);
      },
    });
    await writer.flush();
    await Promise.all(writes.values());
    let outputs: Record<string, unknown> = {};
    // The run's one line names the endpoint rather than whichever step failed first.
    let error = guard.error ? `${guard.error.message} (${guard.error.hint})` : result.error;
    if (result.status === 'succeeded') {
      try {
        const context = templateContext({
          inputs,
          steps: Object.fromEntries([...result.outputs].map(([id, output]) => [id, { output }])),
        });
        outputs = Object.fromEntries(
          Object.entries(file.outputs ?? {}).map(([name, source]) => [
            name,
            compileTemplate(source)(context),
          ]),
        );
      } catch (thrown) {
        error = `the outputs could not be rendered: ${(thrown as Error).message}`;
      }
    }
    const status = error && result.status === 'succeeded' ? 'failed' : result.status;
    await store.updateRun(runId, { status, outputs, error, pid: null, finishedAt: new Date() });
    if (completed.size > 0) return { ...this.summary(await this.findRun(runId)), status };
    return { runId, status, outputs, error, steps: [...states.values()] };
  }
}
