// Every shell example of the README, run in order as written, on a fresh home, against the
// local model server. Conventions in README.md (HTML comments, invisible when rendered):
//   <!-- readme-test: file NAME -->   the next code block is saved as NAME in the working folder
//   <!-- readme-test: skip REASON -->  the next code block is not run (installs, contributor steps)
//   <!-- readme-test: postgresql -->   the next code block runs when PROMPT_RUNNER_TEST_PG names
//                                      a server, its example URLs standing for that server
// The example endpoints' addresses stand for the local server (see STAND_INS).

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, testEnv } from '../support/cli.js';
import { modelServer } from '../support/model.js';
import { TEST_CERT } from '../support/model-server.mjs';
import { startProxy } from '../support/proxy.mjs';
import { tempDir } from '../support/temp.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface Block {
  lang: string;
  body: string;
  line: number;
  directive?: { kind: 'file' | 'skip' | 'postgresql'; value: string };
}

/** The fenced code blocks of a Markdown text, with the directive comment just above each. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let directive: Block['directive'];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const comment = /^<!-- readme-test: (file|skip|postgresql)(?: (.+?))? -->$/.exec(line.trim());
    if (comment) {
      directive = { kind: comment[1] as 'file' | 'skip' | 'postgresql', value: comment[2] ?? '' };
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (line.trim()) directive = undefined;
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] as string); i++) {
      body.push(lines[i] as string);
    }
    blocks.push({ lang: fence[1] ?? '', body: `${body.join('\n')}\n`, line: start + 1, directive });
    directive = undefined;
  }
  return blocks;
}

/** The team store's example URLs, standing for a new database of the test server. */
function postgresStandIns(): [RegExp, string][] {
  const server = process.env.PROMPT_RUNNER_TEST_PG;
  if (!server) return [];
  const name = `readme_${process.pid}_${Date.now()}`;
  const store = new URL(server);
  store.pathname = `/${name}`;
  return [
    [/postgresql:\/\/admin@db\.team:5432\/postgres/g, server],
    [/CREATE DATABASE prompts/g, `CREATE DATABASE ${name}`],
    [/postgresql:\/\/ann@db\.team:5432\/prompts/g, store.href],
  ];
}

const PLAN = `<analysis_template>Analyse {{featureRequest}} in {{project.name}}:
{{fileTree}}
{{codebaseContext}}</analysis_template>
<implementation_template>Plan {{featureRequest}} from {{analysisResults}}</implementation_template>
Start with the data model.`;

/** Answers shaped like what each example asks for; anything else is echoed. */
function reply(body: { messages: { role: string; content: unknown }[] }) {
  const text = body.messages
    .map((m) => (typeof m.content === 'string' ? m.content : ''))
    .join('\n');
  if (text.includes('<analysis_template>')) return { content: PLAN };
  if (text.startsWith('Analyse'))
    return { content: 'Touches the mailer.\nComplexity: medium\nTime estimate: 2-3 days' };
  if (text.startsWith('Plan')) return { content: '1. Add a reset token table.' };
  // The optimizer: one rewrite of the template it was shown, asking for what the eval checks.
  if (text.startsWith('You improve prompt templates')) {
    const template = /## Template\n```handlebars\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '';
    const body = `${template} End with their first step.`;
    return { content: JSON.stringify({ candidates: [{ body, rationale: 'names a first step' }] }) };
  }
  if (/as JSON/i.test(text))
    return { content: '{"title": "Vector databases", "sections": ["What", "Why"]}' };
  const last = body.messages.at(-1)?.content;
  return { content: `Answer to: ${typeof last === 'string' ? last.slice(0, 200) : ''}` };
}

describe('README examples', () => {
  it('finds the examples it runs', () => {
    const blocks = codeBlocks(README);
    expect(
      blocks.filter((b) => b.lang === 'sh' && b.directive?.kind !== 'skip').length,
    ).toBeGreaterThan(5);
    expect(blocks.some((b) => b.directive?.kind === 'file')).toBe(true);
  });

  it('runs every shell example in order on a fresh home', async () => {
    const server = await modelServer(reply);
    const tlsServer = await modelServer(reply, { tls: true });
    const proxy = await startProxy();
    const home = tempDir();
    const work = join(home, 'work');
    const bin = join(home, 'bin');
    mkdirSync(work, { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'prompt-runner'),
      `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
    );
    chmodSync(join(bin, 'prompt-runner'), 0o755);
    // A small codebase to plan features in, with a change for `git diff` to show.
    const git = (...args: string[]) => spawnSync('git', args, { cwd: work, encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(work, 'README.md'), '# Shop\n');
    writeFileSync(join(work, 'app.js'), 'export const shop = 1;\n');
    git('add', '.');
    git('-c', 'user.email=a@b.c', '-c', 'user.name=t', 'commit', '-qm', 'init');
    writeFileSync(join(work, 'app.js'), 'export const shop = 2;\n');

    const env = testEnv(home, {
      PATH: `${bin}:${process.env.PATH}`,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: server.url,
    });
    delete env.PROMPT_RUNNER_HOME;
    const STAND_INS: [RegExp, string][] = [
      [/https:\/\/(api\.openai\.com|openrouter\.ai\/api)\/v1/g, server.url],
      [/http:\/\/(localhost:11434|gpu-box:8000)\/v1/g, server.url],
      [/https:\/\/llm\.internal:8443\/v1/g, tlsServer.url],
      [/\/etc\/ssl\/our-ca\.pem/g, TEST_CERT],
      [/http:\/\/proxy\.corp:3128/g, proxy.url],
      ...postgresStandIns(),
    ];
    // One shell for every block, as a reader typing them in one terminal: variables and
    // exports carry over. Each block announces itself, so a failure names its block.
    const parts: string[] = [];
    for (const block of codeBlocks(README)) {
      if (block.directive?.kind === 'file') {
        writeFileSync(join(work, block.directive.value), block.body);
        continue;
      }
      if (block.lang !== 'sh' || block.directive?.kind === 'skip') continue;
      if (block.directive?.kind === 'postgresql' && !process.env.PROMPT_RUNNER_TEST_PG) continue;
      const body = STAND_INS.reduce((text, [from, to]) => text.replace(from, to), block.body);
      parts.push(`echo "@@ README.md:${block.line}" >&2\n${body}`);
    }
    // Asynchronous: the model server answers from this process.
    const result = await new Promise<{
      status: number | null;
      signal: string | null;
      stderr: string;
    }>((done) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', parts.join('\n')], {
        cwd: work,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 240_000,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (status, signal) => done({ status, signal, stderr }));
    });
    const failedAt = [...result.stderr.matchAll(/^@@ (README\.md:\d+)$/gm)].at(-1)?.[1];
    expect(
      { status: result.status, signal: result.signal },
      `failed in the block at ${failedAt}:\n${result.stderr.slice(-3000)}`,
    ).toEqual({ status: 0, signal: null });
    expect(server.requests.length).toBeGreaterThan(5);
    expect(tlsServer.requests.length).toBeGreaterThan(0);
    // The examples' endpoints are local, and a loopback endpoint never goes through a proxy.
    expect(proxy.seen).toEqual([]);
    await proxy.close();
  }, 300_000);
});
