// With --json a failure is also a JSON document on stdout, in the one error shape.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, runBinary, runInProcess, testEnv } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

type Runner = (
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
) => Promise<CliResult>;

const RUNNERS: [string, Runner][] = [
  ['built binary', runBinary],
  ['in-process', runInProcess],
];

describe.each(RUNNERS)('--json failures print {"error": {…}} on stdout (%s)', (_name, runner) => {
  function setup(extra: NodeJS.ProcessEnv = {}) {
    const home = tempDir();
    const env = testEnv(home, extra);
    return { home, cli: (...args: string[]) => runner(args, { env, cwd: home }) };
  }

  it('prints the error object on stdout and the one line on stderr', async () => {
    const { cli } = setup();
    const result = await cli('project', 'show', 'nope', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message: 'Project "nope" not found',
        code: 'NOT_FOUND',
        exitCode: 1,
        hint: 'see `prompt-runner project list`',
      },
    });
    expect(result.stderr).toBe(
      'Error: Project "nope" not found (see `prompt-runner project list`)\n',
    );
  });

  it('prints usage errors from the command line parser the same way, exit 2', async () => {
    const { cli } = setup();
    const result = await cli('--json', 'prompt', 'show');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        message: "missing required argument 'name'",
        code: 'USAGE',
        exitCode: 2,
        hint: 'see --help',
      },
    });
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('prints nothing on stdout for a failure without --json', async () => {
    const { cli } = setup();
    const result = await cli('project', 'show', 'nope');
    expect(result).toMatchObject({ code: 1, stdout: '' });
  });

  it('prints {"version": …} for --version --json', async () => {
    const { cli } = setup();
    const plain = await cli('--version');
    const result = await cli('--version', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ version: plain.stdout.trim() });
  });

  it('refuses a batch without an API key with exit 2, as a single run, before any call', async () => {
    const { cli, home } = setup({ OPENAI_BASE_URL: 'https://api.example.com/v1' });
    await cli('project', 'create', 'app');
    await cli('prompt', 'create', 'p', '-p', 'app', '--body', 'Hi {{name}}');
    writeFileSync(join(home, 'cases.jsonl'), '{"name":"a"}\n{"name":"b"}\n');
    const single = await cli('prompt', 'run', 'p', '-p', 'app', '--var', 'name=a');
    expect(single.code).toBe(2);
    const batch = await cli(
      'prompt',
      'run',
      'p',
      '-p',
      'app',
      '--input-file',
      'cases.jsonl',
      '--json',
    );
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/^Error: No API key for api\.example\.com: set OPENAI_API_KEY/);
    expect(JSON.parse(batch.stdout)).toMatchObject({
      error: { code: 'VALIDATION', exitCode: 2 },
    });
  });
});
