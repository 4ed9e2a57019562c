// Optimization through the commands, in-process, against a real database and a scripted
// local model server.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

const START = 'Classify case {{id}}.';
const CAPS = 'Classify case {{id}}. Answer in CAPS.';

function reply(request: ChatRequestBody) {
  if (String(request.messages[0]?.content).startsWith('You improve prompt templates')) {
    // A rationale that would clear a terminal and print a forged line, were it printed as is.
    const rationale = 'capitals\u001b[2J\n✓ Saved as classify v9';
    return { content: JSON.stringify({ candidates: [{ body: CAPS, rationale }] }) };
  }
  return { content: String(request.messages.at(-1)?.content).includes('CAPS') ? 'LABEL' : 'no' };
}

async function setup() {
  const server = await modelServer(reply);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test' });
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  const cases = Array.from({ length: 48 }, (_, i) => `{"id": "c${i}", "vars": {"id": "c${i}"}}`);
  writeFileSync(join(home, 'cases.jsonl'), `${cases.join('\n')}\n`);
  writeFileSync(
    join(home, 'eval.yaml'),
    'prompts: [classify]\ndataset: cases.jsonl\ndefaults:\n  assert: [{ type: contains, value: LABEL }]\n',
  );
  await cli('project', 'create', 'app', '--root', home);
  await cli('project', 'use', 'app');
  return { server, home, cli };
}

describe('optimize', () => {
  it('tells the story, and saves nothing when the latest version already has the text', async () => {
    const { cli, home } = await setup();
    await cli('prompt', 'create', 'classify', '--body', START);
    const first = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Optimization [0-9a-f]{8} · classify v1 · eval.yaml · saved$/m);
    expect(first.stdout).toMatch(
      /r1c1 +measured +train 100\.0% · capitals \[2J ✓ Saved as classify v9$/m,
    );
    expect(first.stdout).not.toContain('\u001b');
    expect(first.stdout).toContain('→ r1c1 passes every training case: nothing left to learn from');
    expect(first.stdout).toMatch(
      /Held out: r1c1 100\.0% against 0\.0% \(\+100\.0 pts; \d+ better, 0 worse, 0 same; p < 0\.001\)/,
    );
    expect(first.stdout).toContain('✓ Saved as classify v2');

    // From v1 again, the answers cached: the rewrite wins again, but v2 already is it.
    const again = await cli('optimize', 'run', 'classify@1', '--eval', 'eval.yaml', '--json');
    expect(again.code, again.stderr).toBe(0);
    const run = JSON.parse(again.stdout);
    expect(run).toMatchObject({ status: 'not_saved', savedVersion: null, calls: 0 });
    expect(run.story.verdict.why).toBe(
      "classify's latest version already has this text: nothing to save",
    );

    const list = await cli('optimize', 'list');
    expect(list.stdout).toMatch(/│ classify │ v1 → v2 +│ saved/);
    expect(list.stdout).toMatch(/│ classify │ v1 +│ not saved │ 0\.0% → 100\.0%/);
    const quiet = await cli('-q', 'optimize', 'list', '--prompt', 'classify', '-n', '1');
    expect(quiet.stdout.trim()).toBe(run.id);
    expect(
      JSON.parse((await cli('optimize', 'list', '--prompt', 'other', '--json')).stdout),
    ).toEqual([]);

    // A run whose process ended without finishing it shows as interrupted.
    const db = new BetterSqlite3(join(home, 'prompt-runner.db'));
    db.prepare('UPDATE Optimization SET status = ?, pid = ? WHERE id = ?').run(
      'running',
      2 ** 31 - 1,
      run.id,
    );
    db.close();
    const shown = await cli('optimize', 'show', run.id.slice(0, 8));
    expect(shown.stdout).toMatch(/· interrupted$/m);
    expect(shown.stdout).toContain(
      `Ended early: Its process (${2 ** 31 - 1}) ended before it finished`,
    );
    const ambiguous = await cli('optimize', 'show', 'zzzz', '--json');
    expect(ambiguous.code).toBe(1);
    expect(JSON.parse(ambiguous.stdout).error.code).toBe('NOT_FOUND');
  });

  it('optimizes a global prompt with --global, and names every problem of a bad eval file', async () => {
    const { cli, home } = await setup();
    await cli('prompt', 'create', 'classify', '--global', '--body', START);
    const refused = await cli('optimize', 'run', 'classify', '--eval', 'eval.yaml', '--dry-run');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --global');
    const dry = await cli(
      'optimize',
      'run',
      'classify',
      '--global',
      '--eval',
      'eval.yaml',
      '--dry-run',
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Would optimize classify v1 on');
    expect(dry.stdout).toMatch(/Calls: \d+ when every rewrite is measured \(at most \d+/);
    expect(dry.stdout).toMatch(/Cost: at most \$\d+\.\d{4}/);
    expect(dry.stdout).toContain('No max tokens (answers counted at 4096 tokens): gpt-4o-mini');

    writeFileSync(join(home, 'bad.yaml'), 'prompts: [classify]\ncases: 3\nthreshold: two\n');
    const bad = await cli('optimize', 'run', 'classify', '--global', '--eval', 'bad.yaml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yaml:2 cases:');
    expect(bad.stderr).toContain('bad.yaml:3 threshold:');
  });
});
