// What `prompt run` prints, and how it reads a batch file.

import type { AppContext } from '../../core/context.js';
import { isLiveTerminal, type Output } from '../../core/output.js';
import { printableContent } from '../../services/media-parts.js';
import type { BatchCase, PreparedCall, RunResult } from '../../services/run-types.js';

/** One case per non-empty line: a JSON object of variables, or the reason it is not one. */
export function parseCases(text: string): BatchCase[] {
  const cases: BatchCase[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    try {
      const value: unknown = JSON.parse(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        cases.push({ line, error: `line ${line} is not a JSON object of variables` });
      } else {
        cases.push({ line, variables: value as Record<string, unknown> });
      }
    } catch (error) {
      cases.push({ line, error: `line ${line} is not valid JSON: ${(error as Error).message}` });
    }
  });
  return cases;
}

export function formatCost(cost: number | null): string {
  if (cost === null) return '-';
  if (cost === 0) return '$0';
  return cost < 0.01 ? `$${cost.toFixed(6)}` : `$${cost.toFixed(4)}`;
}

export function printDryRun(output: Output, call: PreparedCall): void {
  const { settings, rendered } = call;
  const data = {
    dryRun: true,
    model: settings.model,
    baseUrlHost: settings.baseUrlHost,
    parameters: settings.parameters,
    messages: rendered.messages,
  };
  output.result(data, (d) => {
    output.fields([
      ['Model', d.model],
      ['Endpoint', d.baseUrlHost],
      ['Parameters', JSON.stringify(d.parameters)],
    ]);
    for (const message of d.messages) {
      output.info(output.style.dim(`── ${message.role} ──`));
      output.text(printableContent(message.content));
    }
    output.note(output.style.dim('Dry run: nothing was sent.'));
  });
}

export function printRunResult(ctx: AppContext, result: RunResult, streamed: boolean): void {
  const { output } = ctx;
  output.result(result, (r) => {
    if (streamed) {
      if (!r.output.endsWith('\n')) output.stream('\n');
    } else {
      output.write(r.output);
    }
    const tokens =
      r.inputTokens === null ? 'tokens unknown' : `${r.inputTokens} → ${r.outputTokens} tokens`;
    const parts = [r.model, tokens, formatCost(r.costUsd), `${r.latencyMs} ms`];
    if (r.cached) parts.push('cached');
    parts.push(r.executionId.slice(0, 8));
    output.note(output.style.dim(parts.join(' · ')));
  });
}

export interface Progress {
  /** `payload` fills the format's other tokens (`{passRate}`). */
  update(done: number, payload?: Record<string, string>): void;
  stop(): void;
}

/** A progress bar on stderr at a terminal; nothing otherwise. */
export async function startProgress(
  ctx: AppContext,
  total: number,
  format = ' {bar} {value}/{total} cases · {duration_formatted}',
): Promise<Progress> {
  const { stderr } = ctx.deps;
  if (!isLiveTerminal(stderr) || ctx.options.json || ctx.options.quiet) {
    return { update() {}, stop() {} };
  }
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WriteStream,
      format,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done, payload) => bar.update(done, payload), stop: () => bar.stop() };
}
