// `orchestrate run`: plan → locate → analyze → implement in one go. Each phase is the same
// service call as its own command, so a run that stops leaves the session at the phase that
// failed, and running again with the session carries on from there.
import type { SessionRecord } from '../db/repositories/orchestration-repository.js';
import type { ProjectRecord } from '../db/repositories/project-repository.js';
import type { ContextFlags } from './orchestration-context.js';
import type {
  AnalyzeOptions,
  OrchestrationService,
  PhaseOptions,
} from './orchestration-service.js';

export type RunPhase = 'plan' | 'analyze' | 'implement';

export interface RunOptions extends PhaseOptions, ContextFlags, AnalyzeOptions {
  onPhase?: (phase: RunPhase) => void;
  onStale?: (files: { path: string; change: string }[]) => void;
}

export async function runOrchestration(
  orchestration: OrchestrationService,
  project: ProjectRecord,
  request: { featureRequest?: string; session?: string },
  options: RunOptions,
): Promise<{ session: SessionRecord; phases: RunPhase[] }> {
  const phases: RunPhase[] = [];
  let session = request.session ? await orchestration.find(request.session) : undefined;
  if (!session || session.status === 'planning') {
    options.onPhase?.('plan');
    phases.push('plan');
    session = await orchestration.plan(
      project,
      { featureRequest: request.featureRequest, session: session?.sessionId },
      options,
    );
  }
  if (session.status === 'analysis') {
    options.onPhase?.('analyze');
    phases.push('analyze');
    session = (await orchestration.analyze(session.sessionId, options)).session;
  }
  if (session.status === 'implementation') {
    options.onPhase?.('implement');
    phases.push('implement');
    session = (await orchestration.implement(session.sessionId, options)).session;
  }
  return { session, phases };
}
