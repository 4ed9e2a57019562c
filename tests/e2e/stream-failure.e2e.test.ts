// A failed `--stream` run: stdout holds what was streamed and nothing more.
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { Reply } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

async function streamRun(reply: Reply) {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app');
  await cli('prompt', 'create', 'p', '--body', 'Write about {{topic}}');
  return cli('prompt', 'run', 'p', '--var', 'topic=x', '--stream', '--max-retries', '0');
}

describe('a failed --stream run writes no empty line', () => {
  it('a stream that fails before any token leaves stdout empty', async () => {
    const run = await streamRun(() => ({ status: 400, message: 'bad request' }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad request/);
    expect(run.stdout).toBe('');
  });

  it('a stream cut off after some tokens prints those tokens then one newline', async () => {
    const run = await streamRun(() => ({ content: 'a b c d e f g', cutAfterChunks: 2 }));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('a b \n');
  });
});
