// Progress of a run: one live line per step at a terminal, plain lines otherwise.
import type { AppContext } from '../../core/context.js';
import { isLiveTerminal } from '../../core/output.js';
import type { StepEvent } from '../../workflows/engine.js';

interface StepLine {
  status: string;
  startedAt?: number;
  finishedAt?: number;
  tokens?: number;
  note?: string;
}

const SYMBOL: Record<string, string> = {
  pending: '·',
  running: '…',
  succeeded: '✓',
  failed: '✗',
  skipped: '-',
  cancelled: '!',
};

export async function startRunProgress(ctx: AppContext) {
  const lines = new Map<string, StepLine>();
  let width = 0;
  const { stderr } = ctx.deps;
  const live = isLiveTerminal(stderr) && !ctx.options.json && !ctx.options.quiet;
  const { style } = ctx.output;

  const describe = (id: string, line: StepLine) => {
    const end = line.finishedAt ?? Date.now();
    const time = line.startedAt ? `${((end - line.startedAt) / 1000).toFixed(1)}s` : '';
    const tokens = line.tokens !== undefined ? `${line.tokens} tokens` : '';
    const color =
      line.status === 'succeeded'
        ? style.success
        : line.status === 'failed'
          ? style.error
          : style.dim;
    return `${color(`${SYMBOL[line.status] ?? '?'} ${id.padEnd(width)} ${line.status.padEnd(9)}`)} ${[time, tokens, line.note ?? ''].filter(Boolean).join('  ')}`;
  };

  const logUpdate = live
    ? (await import('log-update')).createLogUpdate(stderr as NodeJS.WriteStream)
    : null;
  const draw = () => {
    if (lines.size > 0) logUpdate?.([...lines].map(([id, line]) => describe(id, line)).join('\n'));
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    /** Shows the steps, in order, once the run knows them. */
    start(stepIds: string[]) {
      for (const id of stepIds) lines.set(id, { status: 'pending' });
      width = Math.max(...stepIds.map((id) => id.length));
      if (live) timer = setInterval(draw, 100);
      draw();
    },
    onEvent(event: StepEvent) {
      const line = lines.get(event.stepId) ?? { status: 'pending' };
      if (event.status === 'running' && !event.error) line.startedAt = Date.now();
      if (event.status !== 'running') line.finishedAt = Date.now();
      line.status = event.status;
      line.note =
        event.retryInMs !== undefined
          ? `retrying in ${event.retryInMs} ms: ${event.error}`
          : event.error;
      if (event.result) {
        line.tokens = (event.result.inputTokens ?? 0) + (event.result.outputTokens ?? 0);
      }
      lines.set(event.stepId, line);
      if (live) draw();
      else if (!(event.status === 'running' && event.error)) {
        ctx.output.note(describe(event.stepId, line));
      }
    },
    stop() {
      clearInterval(timer);
      draw();
      logUpdate?.done();
    },
  };
}
