// Where prompt-runner keeps its files: PROMPT_RUNNER_HOME when set, else the platform's
// user config, data and cache directories (XDG on Linux, Library on macOS, AppData on Windows).
import { isAbsolute, join, resolve } from 'node:path';
import envPaths from 'env-paths';

export interface Paths {
  configFile: string;
  /** The SQLite file used when nothing names another store. */
  defaultDbFile: string;
  /** Caches that can be rebuilt at any time (the codebase search index). */
  cacheDir: string;
}

export const DB_FILE_NAME = 'prompt-runner.db';
export const CONFIG_FILE_NAME = 'config.json';

export function resolvePaths(env: NodeJS.ProcessEnv, cwd: string): Paths {
  const home = env.PROMPT_RUNNER_HOME ? absolute(env.PROMPT_RUNNER_HOME, cwd) : undefined;
  const platform = home ? undefined : envPaths('prompt-runner', { suffix: '' });
  const configFile = home
    ? join(home, CONFIG_FILE_NAME)
    : join(platform?.config ?? '', CONFIG_FILE_NAME);
  const defaultDbFile = join(home ?? platform?.data ?? '', DB_FILE_NAME);
  const cacheDir = home ? join(home, 'cache') : (platform?.cache ?? '');
  return { configFile, defaultDbFile, cacheDir };
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
