// Resources an agent reads: each planning session's plan, analysis and implementation as
// Markdown, and each prompt as its `.prompt` text.
import { NotFoundError } from '../core/errors.js';
import type { SessionRecord } from '../db/repositories/orchestration-repository.js';
import type { Services } from '../services/index.js';
import type { PromptScope } from '../services/prompt-service.js';
import { servedReference } from './prompts.js';

const SCHEME = 'prompt-runner://';
/** Each part of a session that is a document, by its file name. */
const DOCUMENTS: Record<string, (session: SessionRecord) => string | null> = {
  'plan.md': (session) => session.planResponse,
  'analysis.md': (session) => session.analysisResults,
  'implementation.md': (session) => session.implementationResult,
};

export interface McpResource {
  uri: string;
  name: string;
  description?: string;
  mimeType: string;
}

export async function listResources(
  services: Services,
  scope: PromptScope,
  label?: string,
): Promise<McpResource[]> {
  const resources: McpResource[] = [];
  if (scope.project) {
    const orchestration = await services.orchestration();
    const sessions = await orchestration.list({ projectId: scope.project.id, limit: 50 });
    for (const session of sessions) {
      for (const [file, content] of Object.entries(DOCUMENTS)) {
        if (content(session) === null) continue;
        resources.push({
          uri: `${SCHEME}sessions/${session.sessionId}/${file}`,
          name: `${session.sessionId.slice(0, 8)} ${file}`,
          description: session.featureRequest,
          mimeType: 'text/markdown',
        });
      }
    }
  }
  const prompts = await services.prompts();
  const served = (await prompts.list(scope)).filter(
    (prompt) => !label || prompt.labels.some((l) => l.name === label),
  );
  for (const prompt of served) {
    resources.push({
      uri: `${SCHEME}prompts/${prompt.name}.prompt`,
      name: `${prompt.name}.prompt`,
      ...(prompt.description ? { description: prompt.description } : {}),
      mimeType: 'text/plain',
    });
  }
  return resources;
}

export async function readResource(
  services: Services,
  scope: PromptScope,
  uri: string,
  label?: string,
): Promise<{ uri: string; mimeType: string; text: string }> {
  const session = /^prompt-runner:\/\/sessions\/([0-9a-f-]{4,})\/([a-z]+\.md)$/.exec(uri);
  const content = session?.[2] ? DOCUMENTS[session[2]] : undefined;
  if (session?.[1] && content) {
    const found = await sessionOf(services, scope, session[1]);
    const text = content(found);
    if (text === null) throw new NotFoundError(`Session ${session[1]} has no ${session[2]} yet`);
    return { uri, mimeType: 'text/markdown', text };
  }
  const prompt = /^prompt-runner:\/\/prompts\/(.+)\.prompt$/.exec(uri);
  if (prompt?.[1]) {
    let name: string;
    try {
      name = decodeURIComponent(prompt[1]);
    } catch {
      throw new NotFoundError(`No resource ${uri}`);
    }
    const view = await (await services.prompts()).get(scope, servedReference(name, label));
    const { exportPromptFile } = await import('../services/prompt-transfer.js');
    return { uri, mimeType: 'text/plain', text: exportPromptFile(view) };
  }
  throw new NotFoundError(`No resource ${uri}`);
}

/** A session of the served project: another project's sessions are not found from here. */
export async function sessionOf(
  services: Services,
  scope: PromptScope,
  id: string,
): Promise<SessionRecord> {
  const session = await (await services.orchestration()).find(id);
  if (!scope.project || session.projectId !== scope.project.id) {
    const where = scope.project ? `in project "${scope.project.name}"` : 'without a project';
    throw new NotFoundError(`No session with id ${id} ${where}`);
  }
  return session;
}
