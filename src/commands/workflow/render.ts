// JSON shapes and human output of workflow commands.
import type { Output } from '../../core/output.js';
import type { RunRecord, WorkflowRecord } from '../../db/repositories/workflow-repository.js';
import type { RunSummary } from '../../services/workflow-service.js';
import { formatCost } from '../prompt/run-output.js';
import { formatDate } from '../shared.js';

export function toWorkflowJson(w: WorkflowRecord, withDefinition = false) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    version: w.version,
    runs: w.runCount,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    ...(withDefinition ? { definition: w.definition } : {}),
  };
}

export function toRunJson(run: RunRecord, status: string) {
  return {
    runId: run.id,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status,
    inputs: run.inputs,
    outputs: run.outputs,
    error: run.error,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    steps: run.steps.map((step) => ({
      id: step.stepId,
      status: step.status,
      attempt: step.attempt,
      output: step.output,
      executionId: step.executionId,
      error: step.error,
      inputTokens: step.inputTokens,
      outputTokens: step.outputTokens,
      costUsd: step.costUsd,
      startedAt: step.startedAt?.toISOString() ?? null,
      finishedAt: step.finishedAt?.toISOString() ?? null,
    })),
  };
}

function seconds(start: string | null, end: string | null): string {
  if (!start) return '';
  const ms = (end ? new Date(end).getTime() : Date.now()) - new Date(start).getTime();
  return `${(ms / 1000).toFixed(1)}s`;
}

function preview(text: string | null, width = 48): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

export function printRunStatus(output: Output, run: ReturnType<typeof toRunJson>): void {
  output.fields([
    ['Run', run.runId],
    ['Workflow', `${run.workflow}${run.workflowVersion ? ` v${run.workflowVersion}` : ' (file)'}`],
    ['Status', run.status],
    ['Started', formatDate(run.startedAt)],
    ['Time', seconds(run.startedAt, run.finishedAt)],
    ['Error', run.error],
  ]);
  output.table(
    ['Step', 'Status', 'Attempts', 'Output', 'Tokens', 'Cost', 'Time'],
    run.steps.map((s) => [
      s.id,
      s.status,
      s.attempt,
      s.error && s.status !== 'succeeded'
        ? output.style.error(preview(s.error))
        : preview(s.output),
      s.inputTokens === null ? '' : `${s.inputTokens} → ${s.outputTokens}`,
      s.inputTokens === null ? '' : formatCost(s.costUsd),
      seconds(s.startedAt, s.finishedAt),
    ]),
  );
  if (run.status === 'interrupted' || run.status === 'failed' || run.status === 'cancelled') {
    output.info(
      output.style.dim(`Resume it: prompt-runner workflow resume ${run.runId.slice(0, 8)}`),
    );
  }
}

export function printRunSummary(output: Output, summary: RunSummary): void {
  const entries = Object.entries(summary.outputs);
  for (const [name, value] of entries) {
    if (entries.length > 1) output.info(output.style.heading(name));
    output.text(String(value));
  }
  const done = summary.steps.filter((s) => s.status === 'succeeded').length;
  const line = `Run ${summary.runId.slice(0, 8)} ${summary.status}: ${done} of ${summary.steps.length} steps succeeded`;
  if (summary.status === 'succeeded') output.note(`${output.style.success('✓')} ${line}`);
  else output.note(line);
}
