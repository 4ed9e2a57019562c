// Dotprompt's conformance suite through the built binary: every case's template imported with
// `prompt import <folder>` (partials as `_name.prompt` files), rendered with
// `prompt render --json` (`--vars-file`, `--context-data`, `--history`), compared part by part.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runBinary, testEnv } from '../support/cli.js';
import {
  type CaseOutcome,
  caseFiles,
  compareCase,
  loadSpecCases,
  type SpecCase,
  specAvailable,
  summarize,
} from '../support/dotprompt-spec.js';
import { tempDir } from '../support/temp.js';

describe.skipIf(!specAvailable)('Dotprompt spec suite (built binary)', () => {
  it('imports and renders at least 110 of the 117 cases as Dotprompt does', async () => {
    const home = tempDir();
    const env = testEnv(home);
    const cli = (args: string[]) => runBinary(args, { env, cwd: home });
    const cases = loadSpecCases();
    const project = (c: SpecCase) => c.file.replace(/\.yaml$/, '').replaceAll('/', '-');
    for (const c of cases) {
      for (const [name, text] of Object.entries(caseFiles(c))) {
        mkdirSync(join(home, project(c)), { recursive: true });
        writeFileSync(join(home, project(c), name), text);
      }
    }
    for (const name of new Set(cases.map(project))) {
      expect((await cli(['project', 'create', name])).code).toBe(0);
      // A file that fails (a named schema) is reported; the others import.
      await cli(['prompt', 'import', name, '-p', name]);
    }
    const limit = pLimit(8);
    const outcomes = await Promise.all(
      cases.map((c, n) =>
        limit(async (): Promise<CaseOutcome> => {
          const args = ['prompt', 'render', c.suite, '-p', project(c), '--json'];
          const write = (what: string, value: unknown) => {
            const file = join(home, `${n}-${what}.json`);
            writeFileSync(file, JSON.stringify(value));
            return file;
          };
          args.push('--vars-file', write('vars', { ...c.defaults, ...c.data.input }));
          if (c.data.context) args.push('--context-data', write('context', c.data.context));
          if (c.data.messages) args.push('--history', write('history', c.data.messages));
          const rendered = await cli(args);
          if (rendered.code !== 0) return { case: c, failure: rendered.stderr.trim() };
          let raw: Record<string, unknown> = {};
          if (c.expect.raw) {
            const exported = await cli(['prompt', 'export', c.suite, '-p', project(c)]);
            const { name: _name, ...rest } = parse(
              /^---\n([\s\S]*?)---\n/.exec(exported.stdout)?.[1] ?? '{}',
            );
            raw = rest;
          }
          const data = JSON.parse(rendered.stdout);
          return { case: c, failure: compareCase(c, { ...data, defaults: c.defaults ?? {}, raw }) };
        }),
      ),
    );
    console.log(summarize(outcomes));
    expect(outcomes.filter((o) => o.failure === null).length).toBeGreaterThanOrEqual(110);
  }, 180_000);
});
