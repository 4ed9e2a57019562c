// JSON shapes and human output of execution commands.
import type { Output } from '../../core/output.js';
import {
  type ExecutionRecord,
  MATCH_END,
  MATCH_START,
  type SearchHit,
  type StatsRow,
} from '../../db/repositories/execution-repository.js';
import { printableContent } from '../../services/media-parts.js';
import { formatCost } from '../prompt/run-output.js';
import { formatDate } from '../shared.js';

const HEADINGS = { system: 'System', user: 'Prompt', assistant: 'Model' } as const;

export function toExecutionSummaryJson(e: ExecutionRecord) {
  return {
    id: e.id,
    createdAt: e.createdAt.toISOString(),
    project: e.projectName,
    prompt: e.promptName,
    promptVersion: e.promptVersion,
    model: e.model,
    baseUrlHost: e.baseUrlHost,
    status: e.status,
    error: e.error,
    attempts: e.attempts,
    inputTokens: e.inputTokens,
    outputTokens: e.outputTokens,
    costUsd: e.costUsd,
    latencyMs: e.latencyMs,
    cached: e.cacheHit,
    finishReason: e.finishReason,
    workflowRunId: e.workflowRunId ?? null,
    stepId: e.stepId ?? null,
    sessionId: e.sessionId ?? null,
    phase: e.phase ?? null,
    optimizationId: e.optimizationId ?? null,
    user: e.createdBy ?? null,
  };
}

export function toExecutionJson(e: ExecutionRecord) {
  return {
    ...toExecutionSummaryJson(e),
    parameters: e.parameters,
    system: e.system,
    messages: e.messages,
    variables: e.variables,
    response: e.response,
  };
}

export type ExecutionJson = ReturnType<typeof toExecutionJson>;

function statusText(output: Output, status: string): string {
  const color =
    status === 'success'
      ? output.style.success
      : status === 'error'
        ? output.style.error
        : output.style.warn;
  return color(status);
}

function promptLabel(e: { prompt: string | null; promptVersion: number | null }): string {
  return e.prompt ? `${e.prompt}@v${e.promptVersion}` : '-';
}

export function printExecutionTable(
  output: Output,
  rows: ReturnType<typeof toExecutionSummaryJson>[],
) {
  if (rows.length === 0) {
    output.info('No executions match. Run a prompt: prompt-runner prompt run <name>');
    return;
  }
  output.table(
    ['ID', 'When', 'Prompt', 'Model', 'Status', 'Tokens', 'Cost', 'Latency'],
    rows.map((e) => [
      e.id.slice(0, 8),
      formatDate(e.createdAt),
      promptLabel(e),
      e.model,
      statusText(output, e.status) + (e.cached ? output.style.dim(' (cached)') : ''),
      e.inputTokens === null ? '-' : `${e.inputTokens} → ${e.outputTokens}`,
      formatCost(e.costUsd),
      e.latencyMs === null ? '-' : `${e.latencyMs} ms`,
    ]),
  );
}

export function printExecutionDetails(output: Output, e: ExecutionJson): void {
  output.fields([
    ['ID', e.id],
    ['When', e.createdAt],
    ['Project', e.project],
    ['Prompt', promptLabel(e)],
    ['Model', `${e.model}${e.baseUrlHost ? ` at ${e.baseUrlHost}` : ''}`],
    ['Parameters', JSON.stringify(e.parameters)],
    ['Status', statusText(output, e.status) + (e.cached ? ' (cached)' : '')],
    ['Error', e.error],
    ['Attempts', e.attempts],
    ['Tokens', e.inputTokens === null ? null : `${e.inputTokens} in, ${e.outputTokens} out`],
    ['Cost', formatCost(e.costUsd)],
    ['Latency', e.latencyMs === null ? null : `${e.latencyMs} ms`],
    ['Finish', e.finishReason],
    ['Workflow run', e.workflowRunId ? `${e.workflowRunId} step ${e.stepId}` : null],
    ['Session', e.sessionId ? `${e.sessionId} (${e.phase})` : null],
    [
      'Optimization',
      e.optimizationId ? `${e.optimizationId}${e.phase ? ` (${e.phase})` : ''}` : null,
    ],
  ]);
  for (const message of e.messages) {
    output.info(`\n${output.style.heading(HEADINGS[message.role])}`);
    output.text(printableContent(message.content));
  }
  output.info(`\n${output.style.heading('Response')}`);
  output.text(e.response ?? output.style.dim('(none)'));
}

/** Snippets with the matched terms marked: **term** in JSON, highlighted for people. */
export function toSearchJson(hit: SearchHit) {
  const mark = (text: string) => text.replaceAll(MATCH_START, '**').replaceAll(MATCH_END, '**');
  return {
    id: hit.id,
    createdAt: hit.createdAt,
    model: hit.model,
    status: hit.status,
    prompt: mark(hit.promptSnippet),
    response: mark(hit.responseSnippet),
    rank: hit.rank,
  };
}

export function printSearchHits(output: Output, hits: SearchHit[]): void {
  if (hits.length === 0) {
    output.info('No execution matches.');
    return;
  }
  const show = (text: string) =>
    text
      .replace(/\s+/g, ' ')
      .replace(new RegExp(`${MATCH_START}(.*?)${MATCH_END}`, 'g'), (_m, word: string) =>
        output.style.warn(word),
      );
  for (const hit of hits) {
    output.info(
      `${output.style.id(hit.id.slice(0, 8))} ${formatDate(hit.createdAt)} ${hit.model} ${statusText(output, hit.status)}`,
    );
    if (hit.promptSnippet.includes(MATCH_START))
      output.info(`  prompt:   ${show(hit.promptSnippet)}`);
    if (hit.responseSnippet.includes(MATCH_START))
      output.info(`  response: ${show(hit.responseSnippet)}`);
  }
}

export function toStatsJson(row: StatsRow) {
  return { ...row, errorRate: row.calls === 0 ? 0 : row.errors / row.calls };
}

export function printStats(
  output: Output,
  by: string,
  rows: ReturnType<typeof toStatsJson>[],
): void {
  if (rows.length === 0) {
    output.info('No executions yet.');
    return;
  }
  output.table(
    [
      by[0]?.toUpperCase() + by.slice(1),
      'Calls',
      'Errors',
      'Cached',
      'Tokens in',
      'Tokens out',
      'Cost',
      'Mean latency',
    ],
    rows.map((r) => [
      r.key,
      r.calls,
      `${(r.errorRate * 100).toFixed(1)}%`,
      r.cacheHits,
      r.inputTokens,
      r.outputTokens,
      formatCost(r.costUsd),
      r.meanLatencyMs === null ? '-' : `${Math.round(r.meanLatencyMs)} ms`,
    ]),
  );
}
