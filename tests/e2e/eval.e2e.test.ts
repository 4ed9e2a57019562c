// Evals through the built binary: the gate's exit codes, and a check module of the user's
// loaded with a real dynamic import (the CLI itself is one CommonJS file).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
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
});
