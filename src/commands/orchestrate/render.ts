// JSON shapes and human output of orchestrate commands.
import type { Output } from '../../core/output.js';
import type { PhaseUsage, SessionRecord } from '../../db/repositories/orchestration-repository.js';
import type { ContextManifest } from '../../orchestration/context-manifest.js';
import { formatCost } from '../prompt/run-output.js';
import { formatDate } from '../shared.js';

export function toSessionJson(session: SessionRecord, usage?: PhaseUsage[]) {
  return {
    sessionId: session.sessionId,
    status: session.status,
    project: session.projectName,
    featureRequest: session.featureRequest,
    complexity: session.complexity,
    timeEstimate: session.timeEstimate,
    model: session.model,
    executionNotes: session.executionNotes,
    analysisTemplate: session.analysisTemplate,
    implementationTemplate: session.implementationTemplate,
    analysisResults: session.analysisResults,
    implementationResult: session.implementationResult,
    planResponse: session.planResponse,
    lastError: session.lastError,
    context: session.contextManifest
      ? (JSON.parse(session.contextManifest) as ContextManifest)
      : null,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
    ...(usage ? { phases: usage } : {}),
  };
}

export type SessionJson = ReturnType<typeof toSessionJson>;

/** Says which files the analysis read have changed since, and how to analyse again. */
export function staleWarning(session: string, files: { path: string; change: string }[]): string {
  const shown = files.slice(0, 5).map((f) => (f.change === 'gone' ? `${f.path} (gone)` : f.path));
  const more = files.length > 5 ? ` and ${files.length - 5} more` : '';
  return `${files.length === 1 ? '1 file' : `${files.length} files`} the analysis read changed since: ${shown.join(', ')}${more} (\`prompt-runner orchestrate analyze ${session} --force\` analyses again)`;
}

const NEXT: Record<string, string> = {
  planning: 'plan --session',
  analysis: 'analyze',
  implementation: 'implement',
  completed: 'show',
};

export function nextCommand(session: { sessionId: string; status: string }): string {
  return `prompt-runner orchestrate ${NEXT[session.status]} ${session.sessionId.slice(0, 8)}`;
}

function age(iso: string): string {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60_000);
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}

export function printSessions(output: Output, sessions: SessionJson[]): void {
  if (sessions.length === 0) {
    output.info('No sessions yet. Start one: prompt-runner orchestrate plan "<feature>"');
    return;
  }
  output.table(
    ['Session', 'Project', 'Status', 'Complexity', 'Estimate', 'Feature', 'Age'],
    sessions.map((s) => [
      s.sessionId.slice(0, 8),
      s.project,
      s.lastError ? `${s.status} ${output.style.error('(failed)')}` : s.status,
      s.complexity,
      s.timeEstimate,
      s.featureRequest.length > 40 ? `${s.featureRequest.slice(0, 39)}…` : s.featureRequest,
      age(s.createdAt),
    ]),
  );
}

export function printSession(output: Output, s: SessionJson): void {
  output.fields([
    ['Session', s.sessionId],
    ['Project', s.project],
    ['Feature', s.featureRequest],
    ['Status', s.status],
    ['Complexity', s.complexity],
    ['Estimate', s.timeEstimate],
    ['Last error', s.lastError],
    ['Created', formatDate(s.createdAt)],
    ['Next', s.status === 'completed' ? null : nextCommand(s)],
  ]);
  if (s.phases && s.phases.length > 0) {
    output.table(
      ['Phase', 'Calls', 'Tokens', 'Cost', 'Time'],
      s.phases.map((p) => [
        p.phase,
        p.calls,
        `${p.inputTokens} → ${p.outputTokens}`,
        formatCost(p.costUsd),
        `${(p.latencyMs / 1000).toFixed(1)}s`,
      ]),
    );
  }
  if (s.context && s.context.files.length > 0) {
    const commit = s.context.commit ? ` at ${s.context.commit.slice(0, 12)}` : '';
    output.info(
      `\n${output.style.heading('Context of the analysis')} (${s.context.root}${commit}, ${s.context.tokens} tokens)`,
    );
    output.table(
      ['File', 'Lines', 'Why'],
      s.context.files.map((f) => [f.path, formatRanges(f.ranges), f.reason]),
    );
  }
  for (const [title, text] of [
    ['Notes', s.executionNotes],
    ['Analysis', s.analysisResults],
    ['Implementation plan', s.implementationResult],
  ] as const) {
    if (!text) continue;
    output.info(`\n${output.style.heading(title)}`);
    output.text(text);
  }
}

/** The files `orchestrate export` writes. */
export function exportFiles(s: SessionJson): Record<string, string> {
  const header = `# ${s.featureRequest}\n\nSession ${s.sessionId} · project ${s.project} · ${s.status}`;
  const estimate = [
    s.complexity && `Complexity: ${s.complexity}`,
    s.timeEstimate && `Time estimate: ${s.timeEstimate}`,
  ]
    .filter(Boolean)
    .join(' · ');
  return {
    'plan.md': `${header}\n${estimate ? `\n${estimate}\n` : ''}\n## Notes\n\n${s.executionNotes ?? '(none)'}\n\n## Analysis template\n\n\`\`\`handlebars\n${s.analysisTemplate ?? ''}\n\`\`\`\n\n## Implementation template\n\n\`\`\`handlebars\n${s.implementationTemplate ?? ''}\n\`\`\`\n`,
    'analysis.md': `${header}\n\n${s.analysisResults ?? '(not analysed yet)'}\n`,
    'implementation.md': `${header}\n\n${s.implementationResult ?? '(no implementation plan yet)'}\n`,
    'session.json': `${JSON.stringify(s, null, 2)}\n`,
  };
}

export function formatRanges(ranges: { start: number; end: number }[]): string {
  return ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(', ');
}
