// The whole orchestration flow, and a workflow json step with a schema, through the binary.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBinary, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { tempDir } from '../support/temp.js';

const PLAN = `<analysis_template>Analyse {{featureRequest}}:\n{{codebaseContext}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>
Start with the schema.`;

describe('orchestrate and workflows (built binary)', () => {
  it('runs plan → analyze → implement and exports the session', async () => {
    const server = await modelServer((body) => {
      const prompt = body.messages.at(-1)?.content ?? '';
      if (prompt.includes('<analysis_template>')) return { content: PLAN };
      if (prompt.startsWith('Analyse'))
        return { content: 'Uses src/app.ts.\nComplexity: low\nTime estimate: 4 hours' };
      if (prompt.startsWith('Plan')) return { content: '1. Edit src/app.ts' };
      if (prompt.startsWith('JSON'))
        return { content: '```json\n{"title": "T", "tags": ["a"]}\n```' };
      return { content: `other: ${prompt}` };
    });
    const home = tempDir();
    mkdirSync(join(home, 'code', 'src'), { recursive: true });
    writeFileSync(join(home, 'code', 'README.md'), '# App\n');
    writeFileSync(join(home, 'code', 'src', 'app.ts'), 'export const app = 1;\n');
    const env = testEnv(home, { OPENAI_BASE_URL: server.url, PROMPT_RUNNER_PROJECT: 'app' });
    const cli = (...args: string[]) => runBinary(args, { env, cwd: home });
    await cli('project', 'create', 'app', '--root', 'code');

    const plan = await cli('orchestrate', 'plan', 'add caching');
    expect(plan.code).toBe(0);
    const id =
      /Created session ([0-9a-f]{8}) in [\d.]+s \(next: prompt-runner orchestrate analyze \1\)/.exec(
        plan.stdout,
      )?.[1];
    expect(id).toBeDefined();
    const analyze = await cli(
      'orchestrate',
      'analyze',
      String(id),
      '--context',
      'src/**',
      '--json',
    );
    expect(JSON.parse(analyze.stdout)).toMatchObject({
      status: 'implementation',
      complexity: 'low',
      timeEstimate: '4 hours',
    });
    expect(server.requests[1]?.body.messages[0]?.content).toContain(
      '=== src/app.ts (whole file, 1 line) ===\n1| export const app = 1;',
    );
    const implement = await cli('orchestrate', 'implement', String(id), '-o', 'PLAN.md');
    expect(implement.code).toBe(0);
    expect(readFileSync(join(home, 'PLAN.md'), 'utf8')).toBe('1. Edit src/app.ts\n');
    expect((await cli('orchestrate', 'export', String(id), '--dir', 'plan')).code).toBe(0);
    expect(JSON.parse(readFileSync(join(home, 'plan', 'session.json'), 'utf8'))).toMatchObject({
      status: 'completed',
    });

    writeFileSync(
      join(home, 'wf.yaml'),
      'name: j\nsteps:\n  - id: meta\n    template: JSON please\n    output: json\n    schema: { type: object, required: [title] }\n  - id: use\n    template: "Title {{steps.meta.output.title}}"\noutputs:\n  t: "{{steps.use.output}}"\n',
    );
    const run = await cli('workflow', 'run', 'wf.yaml', '--json');
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'succeeded',
      outputs: { t: 'other: Title T' },
    });
  });
});
