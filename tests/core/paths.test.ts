import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/core/paths.js';

describe('resolvePaths', () => {
  it('keeps config and database under PROMPT_RUNNER_HOME', () => {
    expect(resolvePaths({ PROMPT_RUNNER_HOME: '/srv/pr' }, '/work')).toEqual({
      configFile: '/srv/pr/config.json',
      dbFile: '/srv/pr/prompt-runner.db',
      dbNamed: false,
      cacheDir: '/srv/pr/cache',
    });
  });

  it('resolves a relative home, database variable and flag against the working directory', () => {
    expect(resolvePaths({ PROMPT_RUNNER_HOME: 'state' }, '/work').dbFile).toBe(
      '/work/state/prompt-runner.db',
    );
    expect(resolvePaths({ PROMPT_RUNNER_DB: 'team.db' }, '/work').dbFile).toBe('/work/team.db');
  });

  it('prefers --db over PROMPT_RUNNER_DB over the home directory', () => {
    const env = { PROMPT_RUNNER_HOME: '/h', PROMPT_RUNNER_DB: '/env.db' };
    expect(resolvePaths(env, '/w', '/flag.db').dbFile).toBe('/flag.db');
    expect(resolvePaths(env, '/w').dbFile).toBe('/env.db');
    expect(resolvePaths(env, '/w').configFile).toBe('/h/config.json');
  });

  it('uses the platform directories when no home is set', () => {
    const paths = resolvePaths({}, '/w');
    expect(paths.dbFile.endsWith(join('prompt-runner', 'prompt-runner.db'))).toBe(true);
    expect(paths.configFile.endsWith(join('prompt-runner', 'config.json'))).toBe(true);
    expect(paths.cacheDir.endsWith('prompt-runner')).toBe(true);
    expect(paths.cacheDir).not.toBe(paths.configFile.replace(/[/\\]config\.json$/, ''));
  });
});
