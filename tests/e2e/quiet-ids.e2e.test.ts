// `--quiet` commands that create things print the created thing's id or name alone.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const PLAN = `<analysis_template>Analyse {{featureRequest}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>`;

describe('--quiet prints what a create command made, alone', () => {
  it('orchestrate plan -q prints the full session id, usable by orchestrate analyze', async () => {
    const server = await modelServer((body) => {
      const prompt = body.messages.at(-1)?.content ?? '';
      if (prompt.includes('<analysis_template>')) return { content: PLAN };
      return { content: 'Complexity: low\nTime estimate: 1 hour' };
    });
    const home = tempDir();
    const env = testEnv(home, { OPENAI_BASE_URL: server.url });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    expect((await cli('project', 'create', 'shop', '--root', '.')).code).toBe(0);

    const plan = await cli('-q', 'orchestrate', 'plan', 'add a wish list', '-p', 'shop');
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const listed = await cli('-q', 'orchestrate', 'list-sessions');
    expect(plan.stdout).toBe(listed.stdout);
    expect(plan.stdout).toMatch(/^[0-9a-f-]{32,}\n$/);
    const analyze = await cli('orchestrate', 'analyze', plan.stdout.trim(), '--json');
    expect(analyze.code).toBe(0);
    expect(JSON.parse(analyze.stdout)).toMatchObject({ status: 'implementation' });
  });

  it('project create, prompt create and workflow create -q print the name alone', async () => {
    const home = tempDir();
    const env = testEnv(home, { PROMPT_RUNNER_PROJECT: 'shop' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    expect((await cli('-q', 'project', 'create', 'shop')).stdout).toBe('shop\n');
    expect((await cli('-q', 'prompt', 'create', 'greet', '--body', 'Hi {{name}}')).stdout).toBe(
      'greet\n',
    );
    writeFileSync(join(home, 'wf.yaml'), 'name: w\nsteps:\n  - id: a\n    template: hi\n');
    expect((await cli('-q', 'workflow', 'create', 'w', '-f', 'wf.yaml')).stdout).toBe('w\n');
  });
});
