// Evals through the commands, in-process, against a real database and a local model server.
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import type { ChatRequestBody } from '../support/model-server.mjs';
import { tempDir } from '../support/temp.js';

/** Answers "<model>: <last message>", so assertions can tell variants apart. */
const echo = (request: ChatRequestBody) => ({
  content: `${request.model}: ${request.messages.at(-1)?.content}`,
});

async function setup() {
  const server = await modelServer(echo);
  const home = tempDir();
  const env = testEnv(home, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-main' });
  const cli = (...args: string[]) => runInProcess(args, { env, cwd: home });
  const write = (name: string, text: string) => {
    writeFileSync(join(home, name), text);
    return name;
  };
  await cli('project', 'create', 'app');
  await cli('project', 'use', 'app');
  await cli('prompt', 'create', 'greet', '--body', 'Hello {{name}}');
  await cli('prompt', 'update', 'greet', '--body', 'Good day, {{name}}');
  await cli('prompt', 'label', 'greet', 'production', '--version', '1');
  return { server, home, cli, write };
}

const json = (result: { stdout: string }) => JSON.parse(result.stdout);

describe('eval run', () => {
  it('runs every case against every prompt × model, repeats, and passes the gate', async () => {
    const { server, cli, write } = await setup();
    write('cases.jsonl', '{"vars": {"name": "Bo"}, "id": "bo"}\n{"name": "Cy"}\n');
    const file = write(
      'greet.yaml',
      `name: greetings
prompts: [greet@production, greet]
models: [model-a, model-b]
defaults:
  assert:
    - type: contains
      value: "{{"
      weight: 0
    - type: not-contains
      value: error
cases:
  - id: ada
    vars: { name: Ada }
    assert:
      - { type: icontains, value: ada }
dataset: cases.jsonl
threshold: 0.5
repeat: 2
`,
    );
    const result = await cli('eval', 'run', file, '--json');
    expect(result.code, result.stderr).toBe(1);
    const summary = json(result);
    // 3 cases × 4 variants × 2 repeats.
    expect(server.requests).toHaveLength(24);
    expect(summary).toMatchObject({
      name: 'greetings',
      status: 'failed',
      threshold: 0.5,
      passed: false,
    });
    expect(summary.variants.map((v: { label: string }) => v.label)).toEqual([
      'greet@production · model-a',
      'greet@production · model-b',
      'greet · model-a',
      'greet · model-b',
    ]);
    expect(summary.variants.map((v: { version: number }) => v.version)).toEqual([1, 1, 2, 2]);
    // The `contains "{{"` assertion (weight 0) fails every cell: nothing renders to braces.
    expect(summary.variants.every((v: { passed: number }) => v.passed === 0)).toBe(true);
    expect(summary.failures[0].reason).toContain('contains: does not contain "{{"');

    // Repeats are fresh calls, never the cache's answer for the first.
    const second = json(await cli('eval', 'run', file, '--json', '--filter', '^ada$'));
    expect(second.variants[0].cells).toBe(2);
  });

  it('exits 0 when every variant reaches the threshold, and names the variants below it otherwise', async () => {
    const { cli, write } = await setup();
    const file = write(
      'pass.yaml',
      `prompts: [greet@production, greet]
cases:
  - vars: { name: Ada }
    assert: [{ type: starts-with, value: "gpt-4o-mini: Hello" }]
threshold: 0.5
`,
    );
    const failing = await cli('eval', 'run', file);
    expect(failing.code).toBe(1);
    expect(failing.stderr.trim()).toBe(
      'Error: Below the threshold of 50.0%: greet · gpt-4o-mini 0.0% (see the failing cells above, or eval show <run> --failing)',
    );
    expect(failing.stdout).toMatch(/greet@production · gpt-4o-mini\s+│\s+100\.0% \(1\/1\)/);

    write(
      'pass.yaml',
      'prompts: [greet@production]\ncases:\n  - vars: { name: Ada }\n    assert: [{ type: contains, value: Hello }]\n',
    );
    const passing = await cli('eval', 'run', file, '--json');
    expect(passing.code).toBe(0);
    expect(json(passing)).toMatchObject({ status: 'passed', passed: true, threshold: 1 });
  });

  it('runs .prompt files on a database with no prompts, and a model with its own endpoint and key', async () => {
    const { server, write, home } = await setup();
    const other = await modelServer(echo);
    write(
      'summary.prompt',
      '---\nname: summary\nmodel: file-model\ninput:\n  schema:\n    text: string\n---\nSummarise {{text}}\n',
    );
    const file = write(
      'file.yaml',
      `prompts: [{ file: summary.prompt }]
models:
  - file-model
  - { id: other, model: other-model, baseUrl: "${other.url}", apiKeyEnv: OTHER_KEY }
cases:
  - vars: { text: rivers }
    assert: [{ type: regex, value: "Summarise rivers$" }]
`,
    );
    const env = testEnv(home, {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'sk-main',
      OTHER_KEY: 'sk-other',
      PROMPT_RUNNER_HOME: join(home, 'fresh'),
    });
    const result = await runInProcess(['eval', 'run', file, '--json'], { env, cwd: home });
    expect(result.code, result.stderr).toBe(0);
    expect(json(result).variants.map((v: { label: string }) => v.label)).toEqual([
      'summary.prompt · file-model',
      'summary.prompt · other',
    ]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-main']);
    expect(other.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sk-other']);
  });

  it('reports every problem of a bad file with its line, exit 2, and stores nothing', async () => {
    const { cli, write, server } = await setup();
    const file = write(
      'bad.yaml',
      `prompts: [greet]
models:
  - { model: m, baseUrl: "https://elsewhere.example/v1" }
cases:
  - vars: { name: Ada }
    assert:
      - { type: contians, value: x }
      - { type: levenshtein, value: x }
threshold: 2
`,
    );
    const result = await cli('eval', 'run', file);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'Error: bad.yaml:9 threshold: too big: expected number to be <=1',
      'Error: The eval file has 1 problem',
    ]);
    write(
      'bad.yaml',
      'prompts: [greet]\nmodels:\n  - { model: m, baseUrl: "https://elsewhere.example/v1" }\ncases:\n  - vars: { name: Ada }\n    assert:\n      - { type: contians, value: x }\n      - { type: levenshtein, value: x }\n',
    );
    const second = await cli('eval', 'run', file);
    expect(second.stderr).toContain(
      'bad.yaml:7 cases[0].assert[0]: unknown assertion type "contians"',
    );
    expect(second.stderr).toContain(
      'bad.yaml:8 cases[0].assert[1]: levenshtein needs a text value and max',
    );
    expect(second.stderr).toContain(
      'bad.yaml:3 models[0].baseUrl: a model with its own baseUrl names its key with apiKeyEnv',
    );
    expect(server.requests).toHaveLength(0);
    expect(json(await cli('eval', 'list', '--json'))).toEqual([]);
    const missing = await cli('eval', 'run', 'nope.yaml');
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'Error: Cannot read nope.yaml: no such file\n',
    });
  });

  it('lists, shows (failing cells, one case) and deletes runs', async () => {
    const { cli, write } = await setup();
    const file = write(
      'show.yaml',
      `name: show-me
prompts: [greet]
cases:
  - { id: ada, vars: { name: Ada }, assert: [{ type: contains, value: Ada }] }
  - { id: bo, vars: { name: Bo }, assert: [{ type: contains, value: Zed }] }
`,
    );
    const run = json(await cli('eval', 'run', file, '--json'));
    const listed = json(await cli('eval', 'list', '--json'));
    expect(listed).toMatchObject([
      { id: run.id, name: 'show-me', status: 'failed', cells: 2, passed: 1 },
    ]);
    const failing = json(await cli('eval', 'show', run.id.slice(0, 8), '--failing', '--json'));
    expect(failing.results.map((r: { caseId: string }) => r.caseId)).toEqual(['bo']);
    expect(failing.results[0].assertions[0]).toMatchObject({ type: 'contains', pass: false });
    const table = await cli('eval', 'show', run.id.slice(0, 8), '--case', 'ada');
    expect(table.stdout).toMatch(/ada\s+│ greet · gpt-4o-mini\s+│ pass/);
    expect((await cli('eval', 'delete', run.id, '--yes')).code).toBe(0);
    expect(json(await cli('eval', 'list', '--json'))).toEqual([]);
    expect((await cli('eval', 'show', run.id)).code).toBe(1);
  });
});

describe('eval outputs, compare and the baseline gate', () => {
  it('writes every format, compares two runs, and fails on a regression against a baseline', async () => {
    const { cli, write, home, server } = await setup();
    const evalText = (expected: string) => `name: gate
prompts: [greet]
cases:
  - { id: ada, vars: { name: Ada }, assert: [{ type: contains, value: Ada }] }
  - { id: bo, vars: { name: Bo }, assert: [{ type: contains, value: "${expected}" }] }
threshold: 0.5
`;
    const file = write('gate.yaml', evalText('Bo'));
    const first = await cli(
      'eval',
      'run',
      file,
      '-o',
      'base.json',
      '-o',
      'cells.jsonl',
      '-o',
      'cells.csv',
      '-o',
      'report.md',
      '-o',
      'junit.xml',
    );
    expect(first.code, first.stderr).toBe(0);
    const base = JSON.parse(readFileSync(join(home, 'base.json'), 'utf8'));
    expect(base.results.map((r: { caseId: string; pass: boolean }) => [r.caseId, r.pass])).toEqual([
      ['ada', true],
      ['bo', true],
    ]);
    const lines = readFileSync(join(home, 'cells.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).variant)).toEqual([
      'greet · gpt-4o-mini',
      'greet · gpt-4o-mini',
    ]);
    const { parse } = await import('csv-parse/sync');
    const rows = parse(readFileSync(join(home, 'cells.csv'), 'utf8'), { columns: true });
    expect(rows[1]).toMatchObject({
      case: 'bo',
      pass: 'true',
      output: 'gpt-4o-mini: Good day, Bo',
    });
    expect(readFileSync(join(home, 'report.md'), 'utf8')).toContain('## Eval gate: passed');

    // The answer for bo no longer contains what the case wants: a regression.
    write('gate.yaml', evalText('Zed'));
    const second = await cli('eval', 'run', file, '--baseline', 'base.json');
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `Error: 1 case passed in ${base.id.slice(0, 8)} and fail now: bo (greet · gpt-4o-mini) (fix them, or allow some with --max-regressions N)`,
    );
    expect(second.stdout).toContain('1 regressed, 0 fixed');
    // An output file that exists is refused without --overwrite, before any call.
    const calls = server.requests.length;
    const refused = await cli('eval', 'run', file, '-o', 'junit.xml');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('junit.xml exists; pass --overwrite to replace it');
    expect(server.requests).toHaveLength(calls);

    const relaxed = await cli(
      'eval',
      'run',
      file,
      '--baseline',
      'latest',
      '--max-regressions',
      '1',
      '-o',
      'junit.xml',
      '--overwrite',
    );
    expect(relaxed.code, relaxed.stderr).toBe(0);
    const { XMLParser, XMLValidator } = await import('fast-xml-parser');
    const xmlText = readFileSync(join(home, 'junit.xml'), 'utf8');
    expect(XMLValidator.validate(xmlText)).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false }).parse(xmlText);
    expect(junit.testsuites.testsuite['@_failures']).toBe('1');
    expect(junit.testsuites.testsuite.testcase[1].failure['@_message']).toContain(
      'contains: does not contain "Zed"',
    );

    const runs = json(await cli('eval', 'list', '--json'));
    const compared = json(
      await cli('eval', 'compare', 'base.json', runs[0].id.slice(0, 8), '--only-changed', '--json'),
    );
    expect(compared).toMatchObject({ regressions: 1, fixes: 0 });
    expect(compared.cases).toEqual([
      expect.objectContaining({ caseId: 'bo', change: 'regressed', scoreDelta: -1 }),
    ]);
    const markdown = await cli('eval', 'compare', runs[1].id, runs[0].id, '--format', 'md');
    expect(markdown.stdout).toContain('## Eval gate: 0 regressed, 0 fixed');
    expect(markdown.stdout).toContain('| greet · gpt-4o-mini | 50.0% | 50.0% |');
  });
});

describe('model-graded assertions', () => {
  it('asks the grader model, records its calls, caches them, and fails on an unusable verdict', async () => {
    const grader = await modelServer((request) => {
      const text = request.messages.map((m) => m.content).join('\n');
      if (text.includes('<rubric>\nbroken')) return { content: 'I think it is fine.' };
      const output = /<(?:output|answer)>\n([\s\S]*?)\n<\//.exec(text)?.[1] ?? '';
      const pass = output.includes('Ada');
      return {
        content: JSON.stringify({
          pass,
          score: pass ? 0.9 : 0.1,
          reason: pass ? 'names Ada' : 'no Ada',
        }),
      };
    });
    const { cli, write } = await setup();
    const file = write(
      'graded.yaml',
      `prompts: [greet]
grader: { model: judge, baseUrl: "${grader.url}", apiKeyEnv: JUDGE_KEY }
cases:
  - id: ada
    vars: { name: Ada }
    assert:
      - { type: llm-rubric, value: "Greets Ada by name" }
      - { type: factuality, value: "Good day, Ada" }
  - id: bo
    vars: { name: Bo }
    assert: [{ type: llm-rubric, value: "Greets Ada by name" }]
  - id: odd
    vars: { name: Ada }
    assert: [{ type: llm-rubric, value: "broken rubric" }]
threshold: 0.3
`,
    );
    const result = json(await cli('eval', 'run', file, '--json'));
    expect(result.variants[0]).toMatchObject({ passed: 1, cells: 3 });
    const shown = json(await cli('eval', 'show', result.id, '--json'));
    const byCase = Object.fromEntries(
      shown.results.map((r: { caseId: string; assertions: unknown[] }) => [r.caseId, r.assertions]),
    );
    expect(byCase.ada).toEqual([
      { type: 'llm-rubric', pass: true, score: 0.9, reason: 'names Ada', weight: 1 },
      { type: 'factuality', pass: true, score: 0.9, reason: 'names Ada', weight: 1 },
    ]);
    expect(byCase.bo[0]).toMatchObject({ pass: false, score: 0.1, reason: 'no Ada' });
    expect(byCase.odd[0].reason).toMatch(/the check failed: the grader.*"I think it is fine\."/);
    // The grader got the rubric and the answer, its own key, and no key of the main endpoint.
    expect(grader.requests).toHaveLength(4);
    expect(grader.requests[0]?.body.model).toBe('judge');
    expect(grader.requests.every((r) => r.headers.authorization === 'Bearer no-key-needed')).toBe(
      true,
    );
    const graded = json(await cli('execution', 'list', '--json', '-n', '50'));
    expect(graded.filter((e: { phase: string }) => e.phase === 'grade')).toHaveLength(4);

    // Graded again, the same answers are judged from the cache.
    await cli('eval', 'run', file, '--json');
    expect(grader.requests).toHaveLength(4);
  });

  it('refuses a model-graded assertion without a grader', async () => {
    const { cli, write } = await setup();
    const file = write(
      'nograder.yaml',
      'prompts: [greet]\ncases:\n  - vars: { name: Ada }\n    assert: [{ type: not-llm-rubric, value: rude }]\n',
    );
    const result = await cli('eval', 'run', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('grader: llm-rubric needs a grader model');
  });

  it('select-best: the grader picks among the variants of a case, shown shuffled', async () => {
    const grader = await modelServer((request) => {
      const text = String(request.messages.at(-1)?.content);
      // Chooses the answer that says "Good day", wherever the shuffle put it.
      const answers = [...text.matchAll(/<answer (\d+)>\n([\s\S]*?)\n<\/answer \d+>/g)];
      const best = answers.find((a) => a[2]?.includes('Good day'))?.[1] ?? '1';
      return { content: JSON.stringify({ best: Number(best), reason: 'the politest' }) };
    });
    const { cli, write } = await setup();
    const file = write(
      'best.yaml',
      `prompts: [greet@production, greet]
grader: { model: judge, baseUrl: "${grader.url}", apiKeyEnv: JUDGE_KEY }
cases:
  - { id: ada, vars: { name: Ada }, assert: [{ type: select-best, value: the politest greeting }] }
  - { id: bo, vars: { name: Bo }, assert: [{ type: select-best, value: the politest greeting }] }
threshold: 0
`,
    );
    const ran = await cli('eval', 'run', file, '--json');
    expect(ran.stderr).toBe('');
    const result = json(ran);
    // greet@production is "Hello {{name}}", greet (v2) "Good day, {{name}}".
    expect(result.variants.map((v: { passed: number }) => v.passed)).toEqual([0, 2]);
    const shown = json(await cli('eval', 'show', result.id, '--json'));
    const outcome = (caseId: string, variant: number) =>
      shown.results.find(
        (r: { caseId: string; variant: number }) => r.caseId === caseId && r.variant === variant,
      ).assertions[0];
    expect(outcome('ada', 1)).toMatchObject({ pass: true, reason: 'chosen: the politest' });
    expect(outcome('ada', 0)).toMatchObject({
      pass: false,
      reason: 'greet · gpt-4o-mini was chosen: the politest',
    });
    expect(grader.requests).toHaveLength(2);
    // Each request lists both answers once.
    const listed = String(grader.requests[0]?.body.messages.at(-1)?.content);
    expect(listed.match(/<answer \d>/g)).toHaveLength(2);

    const lone = write(
      'lone.yaml',
      'prompts: [greet]\ngrader: judge\ncases:\n  - vars: { name: Ada }\n    assert: [{ type: select-best, value: best }]\n',
    );
    const refused = await cli('eval', 'run', lone);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('select-best compares variants');
  });

  it('reads no file the eval names outside the working folder, through a link, or with secrets', async () => {
    const { cli, write, home, server } = await setup();
    const outside = tempDir();
    writeFileSync(join(outside, 'cases.jsonl'), '{"name": "Eve"}\n');
    writeFileSync(join(home, '.env'), 'name=secret\n');
    symlinkSync(join(outside, 'cases.jsonl'), join(home, 'linked.jsonl'));
    const run = (dataset: string) => {
      write('leak.yaml', `prompts: [greet]\ndataset: ${dataset}\n`);
      return cli('eval', 'run', 'leak.yaml');
    };
    const far = await run(join(outside, 'cases.jsonl'));
    expect(far.code).toBe(2);
    expect(far.stderr).toContain(`The dataset ${join(outside, 'cases.jsonl')} is outside ${home}`);
    expect((await run('linked.jsonl')).stderr).toContain('is outside');
    expect((await run('.env')).stderr).toContain(
      'The dataset .env may hold secrets: it is not read',
    );
    expect((await run('missing.jsonl')).stderr).toContain('No dataset missing.jsonl');
    write(
      'check.yaml',
      `prompts: [greet]\ncases:\n  - vars: { name: Ada }\n    assert: [{ type: javascript, file: ${join(outside, 'x.mjs')} }]\n`,
    );
    writeFileSync(join(outside, 'x.mjs'), 'export default () => true;');
    const check = await cli('eval', 'run', 'check.yaml', '--json');
    expect(JSON.parse(check.stdout).failures[0].reason).toContain('is outside');
    expect(server.requests.map((r) => r.body.messages.at(-1)?.content)).toEqual(['Good day, Ada']);
  });

  it("never sends the configured endpoint's key to another host a file names", async () => {
    const { cli, write, server } = await setup();
    const other = await modelServer(echo);
    const file = write(
      'steal.yaml',
      `prompts: [greet]\nmodels:\n  - { model: m, baseUrl: "${other.url.replace('127.0.0.1', 'localhost')}", apiKeyEnv: OPENAI_API_KEY }\ncases:\n  - vars: { name: Ada }\n`,
    );
    const result = await cli('eval', 'run', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('would send OPENAI_API_KEY, the key of 127.0.0.1');
    expect(other.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(0);
  });
});
