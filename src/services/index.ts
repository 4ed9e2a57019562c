// Builds the services over one database connection. Services with heavy dependencies
// (templates, YAML, the model client) load on first use, so commands that do not need them
// start fast.
import { callerName } from '../core/caller.js';
import type { Config } from '../core/config.js';
import { storeKey } from '../core/database-location.js';
import type { Database } from '../db/client.js';
import type { CacheRepository } from '../db/repositories/cache-repository.js';
import type { ExecutionRepository } from '../db/repositories/execution-repository.js';
import { ProjectRepository } from '../db/repositories/project-repository.js';
import type { EvalService } from './eval-service.js';
import type { ExecutionService } from './execution-service.js';
import type { OptimizeService } from './optimize-service.js';
import type { OrchestrationService } from './orchestration-service.js';
import { ProjectService } from './project-service.js';
import type { PromptHistoryService } from './prompt-history.js';
import type { PromptService } from './prompt-service.js';
import type { RunService } from './run-service.js';
import type { WorkflowService } from './workflow-service.js';

export interface Services {
  projects: ProjectService;
  prompts(): Promise<PromptService>;
  /** Labels and diffs of prompt versions. */
  promptHistory(): Promise<PromptHistoryService>;
  runs(): Promise<RunService>;
  executions(): Promise<ExecutionService>;
  workflows(): Promise<WorkflowService>;
  orchestration(): Promise<OrchestrationService>;
  evals(): Promise<EvalService>;
  /** Prompts rewritten by a model, kept when they win on held-out cases. */
  optimizations(): Promise<OptimizeService>;
}

export interface ServiceEnvironment {
  cwd: string;
  /** Keeps a project's root in this machine's config (for a shared store). */
  saveProjectRoot?: (project: string, root: string | null) => Promise<void>;
  /** The user cache folder (the codebase search index lives there). */
  cacheDir?: string;
  env: NodeJS.ProcessEnv;
  config: () => Config;
  /** A real dynamic import, for the user's own modules (eval checks). */
  importModule: (url: string) => Promise<unknown>;
}

/** A value built once, on first request. */
function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

export function createServices(db: Database, environment: ServiceEnvironment): Services {
  // On a shared store, each machine keeps its own projects' roots (config `projectRoots`).
  const store = db.location.engine === 'postgresql' ? storeKey(db.location) : undefined;
  const shared = store !== undefined;
  const projectRepository = new ProjectRepository(
    db.prisma,
    shared ? () => environment.config().projectRoots?.[store] ?? {} : undefined,
  );
  const executions = lazy<ExecutionRepository>(async () => {
    const { ExecutionRepository } = await import('../db/repositories/execution-repository.js');
    // A shared store records who made each call.
    const user = db.engine === 'postgresql' ? callerName(environment.env) : null;
    return new ExecutionRepository(db.prisma, db.engine, user);
  });
  const cache = lazy<CacheRepository>(async () => {
    const { CacheRepository } = await import('../db/repositories/cache-repository.js');
    return new CacheRepository(db.prisma);
  });
  const promptRepository = lazy(async () => {
    const { PromptRepository } = await import('../db/repositories/prompt-repository.js');
    return new PromptRepository(db.prisma);
  });
  const prompts = lazy(async () => {
    const { PromptService } = await import('./prompt-service.js');
    return new PromptService({ prompts: await promptRepository(), projects: projectRepository });
  });
  const runs = lazy(async () => {
    const { RunService } = await import('./run-service.js');
    return new RunService({
      prompts: await prompts(),
      executions: await executions(),
      cache: await cache(),
      config: environment.config(),
      env: environment.env,
    });
  });
  const promptHistory = lazy(async () => {
    const { PromptHistoryService } = await import('./prompt-history.js');
    return new PromptHistoryService({
      prompts: await prompts(),
      repository: await promptRepository(),
    });
  });
  const evals = lazy(async () => {
    const [{ EvalService }, { EvalRepository }] = await Promise.all([
      import('./eval-service.js'),
      import('../db/repositories/eval-repository.js'),
    ]);
    return new EvalService({
      evals: new EvalRepository(db.prisma),
      prompts: await prompts(),
      runs: await runs(),
      cwd: environment.cwd,
      env: environment.env,
      importModule: environment.importModule,
    });
  });
  return {
    projects: new ProjectService({
      repository: projectRepository,
      cwd: environment.cwd,
      saveLocalRoot: shared ? environment.saveProjectRoot : undefined,
    }),
    prompts,
    promptHistory,
    runs,
    workflows: lazy(async () => {
      const [{ WorkflowService }, { WorkflowRepository }] = await Promise.all([
        import('./workflow-service.js'),
        import('../db/repositories/workflow-repository.js'),
      ]);
      return new WorkflowService({
        workflows: new WorkflowRepository(db.prisma),
        prompts: await prompts(),
        runs: await runs(),
      });
    }),
    orchestration: lazy(async () => {
      const [{ OrchestrationService }, { OrchestrationRepository }] = await Promise.all([
        import('./orchestration-service.js'),
        import('../db/repositories/orchestration-repository.js'),
      ]);
      return new OrchestrationService({
        sessions: new OrchestrationRepository(db.prisma),
        prompts: await prompts(),
        runs: await runs(),
        cwd: environment.cwd,
        cacheDir: environment.cacheDir,
        config: environment.config,
      });
    }),
    evals,
    optimizations: lazy(async () => {
      const [{ OptimizeService }, { OptimizationRepository }] = await Promise.all([
        import('./optimize-service.js'),
        import('../db/repositories/optimization-repository.js'),
      ]);
      return new OptimizeService({
        optimizations: new OptimizationRepository(db.prisma),
        evals: await evals(),
        prompts: await prompts(),
        history: await promptHistory(),
        runs: await runs(),
        cwd: environment.cwd,
        env: environment.env,
      });
    }),
    executions: lazy(async () => {
      const { ExecutionService } = await import('./execution-service.js');
      return new ExecutionService({ executions: await executions(), cache: await cache() });
    }),
  };
}
