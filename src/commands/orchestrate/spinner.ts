// The spinner of a long orchestration step: what runs, for how long, then one success line.
import type { AppContext } from '../../core/context.js';

/**
 * Runs `work` under a spinner whose label the work may change (`update`); on success prints
 * `message`, if there is one, with the time taken.
 */
export async function withSpinner<T>(
  ctx: AppContext,
  label: string,
  work: (update: (label: string) => void) => Promise<T>,
  message: ((result: T, seconds: string) => string) | null,
): Promise<T> {
  const started = Date.now();
  const spinner = await ctx.output.spinner(label);
  let current = label;
  const show = () => spinner.update(`${current} ${Math.round((Date.now() - started) / 1000)}s`);
  const timer = setInterval(show, 1000);
  try {
    const result = await work((next) => {
      current = next;
      show();
    });
    clearInterval(timer);
    spinner.stop();
    const seconds = `${((Date.now() - started) / 1000).toFixed(1)}s`;
    if (message) ctx.output.success(message(result, seconds));
    return result;
  } catch (error) {
    clearInterval(timer);
    spinner.stop();
    throw error;
  }
}
