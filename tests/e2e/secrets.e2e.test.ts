// The API key never lands in what prompt-runner records, even when a server quotes it back.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const KEY = 'sk-echoed-secret-key-0123456789';

describe('API keys in answers (built binary)', () => {
  it('a server echoing the key: the database, show, search, export and a cache hit never hold it', async () => {
    const server = await modelServer((_request, _index, headers) => ({
      content: `You sent ${headers.authorization} and the key ${KEY} twice`,
    }));
    const home = tempDir();
    const env = testEnv(home, {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: KEY,
      PROMPT_RUNNER_PROJECT: 'app',
    });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app');
    await cli('prompt', 'create', 'p', '--body', 'Tell me about {{topic}}');

    const first = await cli('prompt', 'run', 'p', '--var', 'topic=keys', '--json');
    expect(first.code).toBe(0);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    const run = JSON.parse(first.stdout);
    expect(run.output).toBe('You sent Bearer *** and the key *** twice');
    const hit = await cli('prompt', 'run', 'p', '--var', 'topic=keys', '--json');
    expect(JSON.parse(hit.stdout)).toMatchObject({ cached: true, output: run.output });
    const fresh = await cli('prompt', 'run', 'p', '--var', 'topic=other', '--no-cache');
    expect(fresh.code).toBe(0);

    const outputs = [
      first.stdout,
      hit.stdout,
      fresh.stdout,
      (await cli('execution', 'show', run.executionId, '--json')).stdout,
      (await cli('execution', 'search', KEY, '--json')).stdout,
      (await cli('execution', 'search', 'sent', '--json')).stdout,
      (await cli('execution', 'export')).stdout,
      (await cli('execution', 'export', '--format', 'csv')).stdout,
    ];
    for (const output of outputs) expect(output).not.toContain(KEY);
    expect(outputs[5]).toContain(run.executionId);

    const files = readdirSync(home).filter((name) => name.startsWith('prompt-runner.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(readFileSync(join(home, file)).includes(Buffer.from(KEY))).toBe(false);
    }
  });
});
