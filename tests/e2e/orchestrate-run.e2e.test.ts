// `orchestrate run`: plan → locate → analyze → implement through the built binary; a phase that
// fails leaves the session where it stopped and `run --session` carries on from there.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const PLAN = `<analysis_template>Analyse {{featureRequest}}:\n{{codebaseContext}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>`;

async function setUp() {
  let analysisFails = false;
  const server = await modelServer((body) => {
    const prompt = body.messages.at(-1)?.content ?? '';
    if (prompt.includes('<analysis_template>')) return { content: PLAN };
    if (prompt.startsWith('You are choosing the code'))
      return { content: '{"files": [{"path": "src/cache.ts", "symbols": ["cacheGet"]}]}' };
    if (prompt.startsWith('Analyse')) {
      if (analysisFails) return { status: 400, message: 'context too long' };
      return { content: 'Change src/cache.ts:1.\nComplexity: low\nTime estimate: 2 hours' };
    }
    if (prompt.startsWith('Plan')) return { content: '1. Add a TTL to cacheGet.' };
    return { content: 'unexpected' };
  });
  const home = tempDir();
  mkdirSync(join(home, 'code', 'src'), { recursive: true });
  writeFileSync(join(home, 'code', 'README.md'), '# App\n');
  writeFileSync(
    join(home, 'code', 'src', 'cache.ts'),
    'export function cacheGet(key: string) {\n  return key;\n}\n',
  );
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
  const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
  await cli('project', 'create', 'app', '--root', 'code');
  const phases = () =>
    server.requests.map((r) => {
      const prompt = r.body.messages.at(-1)?.content ?? '';
      if (prompt.includes('<analysis_template>')) return 'plan';
      if (prompt.startsWith('You are choosing')) return 'locate';
      return prompt.startsWith('Analyse') ? 'analyze' : 'implement';
    });
  return { cli, home, phases, failAnalysis: (fail: boolean) => (analysisFails = fail) };
}

describe('orchestrate run (built binary)', () => {
  it('runs every phase and writes the plan', async () => {
    const { cli, home, phases } = await setUp();
    const run = await cli('orchestrate', 'run', 'add a TTL to the cache', '-o', 'PLAN.md');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /✓ Completed session [0-9a-f]{8} in [\d.]+s \(plan → analyze → implement\)\nPlan written to PLAN.md\n/,
    );
    expect(readFileSync(join(home, 'PLAN.md'), 'utf8')).toBe('1. Add a TTL to cacheGet.\n');
    expect(phases()).toEqual(['plan', 'locate', 'analyze', 'implement']);
    const json = await cli('orchestrate', 'run', 'add a TTL to the cache', '--no-locate', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'completed',
      complexity: 'low',
      implementationResult: '1. Add a TTL to cacheGet.',
    });
    const again = await cli('orchestrate', 'run', 'add a TTL', '-o', 'PLAN.md');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^Error: .*PLAN\.md.* exists/);
  });

  it('stops at a failing phase and carries on from there with --session', async () => {
    const { cli, phases, failAnalysis } = await setUp();
    failAnalysis(true);
    const failed = await cli('orchestrate', 'run', 'add a TTL to the cache', '--no-locate');
    expect(failed.code).toBe(1);
    const id = /session ([0-9a-f]{8}) stopped there/.exec(failed.stderr)?.[1];
    expect(failed.stderr.trim().split('\n')).toHaveLength(1);
    expect(failed.stderr).toContain(`\`prompt-runner orchestrate run --session ${id}\` carries on`);
    failAnalysis(false);
    const resumed = await cli('orchestrate', 'run', '--session', String(id), '--no-locate');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`✓ Completed session ${id} in`);
    expect(resumed.stdout).toContain('(analyze → implement)');
    expect(resumed.stdout).toContain('1. Add a TTL to cacheGet.');
    expect(phases()).toEqual(['plan', 'analyze', 'analyze', 'implement']);
    const done = await cli('orchestrate', 'run', '--session', String(id));
    expect(done.stdout).toContain(`✓ Session ${id} was already completed`);
    const both = await cli('orchestrate', 'run', 'x', '--session', String(id), '--json');
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout).error.message).toBe('Give a feature or --session, not both');
  });
});
