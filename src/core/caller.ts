// Who runs this process, as a shared store records it beside each call:
// PROMPT_RUNNER_USER when set, else the operating system's user name.
import { userInfo } from 'node:os';

export function callerName(env: NodeJS.ProcessEnv): string | null {
  const named = env.PROMPT_RUNNER_USER?.trim();
  if (named) return named;
  try {
    return userInfo().username || null;
  } catch {
    // A uid without a passwd entry (some containers).
    return env.USER?.trim() || env.USERNAME?.trim() || null;
  }
}
