// The project a planning command works in: the session's own when one is named (-p, if given,
// must name it), else the current project.
import type { AppContext } from '../../core/context.js';
import type { SessionRecord } from '../../db/repositories/orchestration-repository.js';
import type { ProjectRecord } from '../../db/repositories/project-repository.js';
import type { OrchestrationService } from '../../services/orchestration-service.js';
import { currentProject, ownerProject } from '../workflow/shared.js';

export async function sessionProject(
  ctx: AppContext,
  orchestration: OrchestrationService,
  session: string | undefined,
  flag: string | undefined,
): Promise<{ existing?: SessionRecord; project: ProjectRecord }> {
  const existing = session ? await orchestration.find(session) : undefined;
  const project = existing
    ? await ownerProject(
        ctx,
        { name: existing.projectName },
        flag,
        `Session ${existing.sessionId.slice(0, 8)}`,
      )
    : await currentProject(ctx, flag);
  return { existing, project };
}
