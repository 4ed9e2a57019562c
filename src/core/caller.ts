// Who runs this process, as a shared store records it beside each call:
// PROMPT_RUNNER_USER when set, else the operating system's user name.
import { userInfo } from 'node:os';

/** A name as recorded: no control characters, at most 200 characters. */
function clean(name: string | undefined): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed
  const text = (name ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return text ? text.slice(0, 200) : null;
}

export function callerName(env: NodeJS.ProcessEnv): string | null {
  const named = clean(env.PROMPT_RUNNER_USER);
  if (named) return named;
  try {
    return clean(userInfo().username);
  } catch {
    // A uid without a passwd entry (some containers).
    return clean(env.USER) ?? clean(env.USERNAME);
  }
}
