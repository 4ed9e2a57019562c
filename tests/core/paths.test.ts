import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDatabase } from '../../src/core/database-location.js';
import { resolvePaths } from '../../src/core/paths.js';

/** The store's file or masked URL, as resolved from these sources. */
function store(flag: string | undefined, configured: string | undefined, env: NodeJS.ProcessEnv) {
  return resolveDatabase(flag, configured, env, '/work', resolvePaths(env, '/work').defaultDbFile);
}

describe('resolvePaths', () => {
  it('keeps config and database under PROMPT_RUNNER_HOME', () => {
    expect(resolvePaths({ PROMPT_RUNNER_HOME: '/srv/pr' }, '/work')).toEqual({
      configFile: '/srv/pr/config.json',
      defaultDbFile: '/srv/pr/prompt-runner.db',
      cacheDir: '/srv/pr/cache',
    });
  });

  it('resolves a relative home, database variable and flag against the working directory', () => {
    expect(store(undefined, undefined, { PROMPT_RUNNER_HOME: 'state' })).toMatchObject({
      file: '/work/state/prompt-runner.db',
      named: false,
    });
    expect(store(undefined, undefined, { PROMPT_RUNNER_DB: 'team.db' })).toMatchObject({
      file: '/work/team.db',
      named: true,
    });
    expect(store('x/flag.db', undefined, {}).display).toBe('/work/x/flag.db');
  });

  it('prefers --db over the config over PROMPT_RUNNER_DB over the home directory', () => {
    const env = { PROMPT_RUNNER_HOME: '/h', PROMPT_RUNNER_DB: '/env.db' };
    expect(store('/flag.db', '/config.db', env).display).toBe('/flag.db');
    expect(store(undefined, '/config.db', env).display).toBe('/config.db');
    expect(store(undefined, undefined, env).display).toBe('/env.db');
    expect(resolvePaths(env, '/w').configFile).toBe('/h/config.json');
  });

  it('takes a postgresql:// URL for a server, its password masked wherever it is shown', () => {
    const env = {
      PROMPT_RUNNER_DB: 'postgresql://ann:s3cret@db.team:5432/prompts?sslmode=require',
    };
    const location = store(undefined, undefined, env);
    expect(location).toMatchObject({
      engine: 'postgresql',
      display: 'postgresql://ann:****@db.team:5432/prompts?sslmode=require',
    });
    expect(store(undefined, undefined, { PROMPT_RUNNER_DB: 'postgres://db/x' }).engine).toBe(
      'postgresql',
    );
    // A password given as a parameter is masked too.
    expect(
      store('postgresql://ann@db/x?password=s3cret&sslmode=verify-full', undefined, {}).display,
    ).toBe('postgresql://ann@db/x?password=****&sslmode=verify-full');
    // A password with / ? # unencoded cannot be read as the driver reads it: refused, unshown.
    for (const url of [
      'postgresql://ann:2024#Winter@db/x',
      'postgresql://ann:a/b@db/x',
      'postgresql://ann:a?b@db/x',
    ]) {
      expect(() => store(url, undefined, {})).toThrow(
        /^The user or password of the database URL must be percent-encoded \(\/ \? # @ as %2F %3F %23 %40\)$/,
      );
    }
    expect(() => store('postgresql://', undefined, {})).toThrow(/names no host/);
    expect(() => store('postgresql://db', undefined, {})).toThrow(/names no database/);
    expect(() => store('mysql://ann:s3cret@db/x', undefined, {})).toThrow(
      /Unsupported database URL scheme "mysql:\/\/"/,
    );
  });

  it('uses the platform directories when no home is set', () => {
    const paths = resolvePaths({}, '/w');
    expect(paths.defaultDbFile.endsWith(join('prompt-runner', 'prompt-runner.db'))).toBe(true);
    expect(paths.configFile.endsWith(join('prompt-runner', 'config.json'))).toBe(true);
    expect(paths.cacheDir.endsWith('prompt-runner')).toBe(true);
    expect(paths.cacheDir).not.toBe(paths.configFile.replace(/[/\\]config\.json$/, ''));
  });
});
