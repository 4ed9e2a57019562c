// Evals through the built binary: the gate's exit codes, and a check module of the user's
// loaded with a real dynamic import (the CLI itself is one CommonJS file).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

describe('prompt-runner eval (built binary)', () => {
  it('passes, fails and refuses with exit codes 0, 1 and 2; runs an ESM check', async () => {
    const server = await modelServer((request) => ({
      content: `{"greeting": "${request.messages.at(-1)?.content}"}`,
    }));
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app');
    await cli('prompt', 'create', 'greet', '--body', 'Hello {{name}}');
    writeFileSync(
      join(home, 'check.mjs'),
      'export default (output) => JSON.parse(output).greeting.startsWith("Hello");',
    );
    const write = (threshold: number, name: string) =>
      writeFileSync(
        join(home, 'eval.yaml'),
        `prompts: [greet]
cases:
  - vars: { name: Ada }
  - vars: { name: ${name} }
defaults:
  assert:
    - { type: javascript, file: check.mjs }
    - { type: json-path, path: $.greeting, value: Hello Ada }
threshold: ${threshold}
`,
      );
    write(0.5, 'Bo');
    const passed = await cli('eval', 'run', 'eval.yaml');
    expect(passed.code, passed.stderr).toBe(0);
    expect(passed.stdout).toContain('✓ every variant reached 50.0%');
    expect(passed.stdout).toContain('json-path: $.greeting is "Hello Bo", expected "Hello Ada"');

    write(1, 'Bo');
    const failed = await cli('eval', 'run', 'eval.yaml');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Below the threshold of 100.0%: greet · gpt-4o-mini 50.0%');

    writeFileSync(join(home, 'eval.yaml'), 'prompts: []\n');
    const invalid = await cli('eval', 'run', 'eval.yaml', '--json');
    expect(invalid.code).toBe(2);
    expect(JSON.parse(invalid.stdout).error.code).toBe('VALIDATION');
  });

  it('stops on Ctrl-C keeping the finished cells, and resume runs only the rest', async () => {
    // Cases 0-3 answer at once; the others wait long enough for Ctrl-C to come first.
    const server = await modelServer((request) => {
      const text = String(request.messages.at(-1)?.content);
      const slow = !/case [0-3]$/.test(text);
      return { content: `ok ${text}`, delayMs: slow ? 1500 : 0 };
    });
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app');
    await cli('prompt', 'create', 'p', '--body', 'case {{n}}');
    const cases = Array.from({ length: 8 }, (_, n) => `  - { id: c${n}, vars: { n: ${n} } }`);
    writeFileSync(
      join(home, 'slow.yaml'),
      `prompts: [p]\ncases:\n${cases.join('\n')}\ndefaults:\n  assert: [{ type: starts-with, value: ok }]\n`,
    );
    const child = spawn(
      process.execPath,
      [BIN, 'eval', 'run', 'slow.yaml', '--concurrency', '2', '--json'],
      {
        env,
        cwd: home,
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Wait until the fast cases are done and two slow ones are asked.
    while (server.requests.length < 6) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    const stopped = JSON.parse(stdout);
    expect(stopped).toMatchObject({ status: 'cancelled' });
    const kept = stopped.variants[0].cells;
    expect(kept).toBe(4);

    server.setReply((request) => ({ content: `ok ${request.messages.at(-1)?.content}` }));
    const before = server.requests.length;
    const resumed = await cli('eval', 'resume', stopped.id.slice(0, 8), '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      status: 'passed',
      variants: [{ cells: 8, passed: 8 }],
    });
    // Only the cells without a result were asked again.
    const asked = server.requests.slice(before).map((r) => r.body.messages.at(-1)?.content);
    expect(asked.sort()).toEqual(['case 4', 'case 5', 'case 6', 'case 7']);
    const again = await cli('eval', 'resume', stopped.id.slice(0, 8));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is complete');
  });
});
