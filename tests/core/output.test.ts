import { Writable } from 'node:stream';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { handleError } from '../../src/core/error-handler.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { isLiveTerminal, Output, type OutputOptions } from '../../src/core/output.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

function makeOutput(options: Partial<OutputOptions> = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const output = new Output({
    json: false,
    quiet: false,
    verbose: false,
    color: false,
    stdout,
    stderr,
    ...options,
  });
  return { output, stdout, stderr };
}

describe('Output', () => {
  it('prints human lines to stdout and warnings and errors to stderr', () => {
    const { output, stdout, stderr } = makeOutput();
    output.success('Created project a');
    output.info('next step');
    output.warn('careful');
    output.error('broken', 'try this');
    expect(stdout.text).toBe('✓ Created project a\nnext step\n');
    expect(stderr.text).toBe('Warning: careful\nError: broken (try this)\n');
  });

  it('in --json mode prints only the JSON document on stdout', () => {
    const { output, stdout } = makeOutput({ json: true });
    output.success('hidden');
    output.info('hidden');
    output.text('hidden');
    output.table(['a'], [['1']]);
    output.fields([['a', 1]]);
    output.result({ id: 1n, when: new Date('2026-01-02T03:04:05Z') }, () => {
      throw new Error('human renderer must not run');
    });
    expect(JSON.parse(stdout.text)).toEqual({ id: 1, when: '2026-01-02T03:04:05.000Z' });
  });

  it('with --quiet keeps products and errors, drops chatter', () => {
    const { output, stdout, stderr } = makeOutput({ quiet: true });
    output.success('hidden');
    output.info('hidden');
    output.warn('hidden');
    output.text('/path/to/db');
    output.error('shown');
    expect(stdout.text).toBe('/path/to/db\n');
    expect(stderr.text).toBe('Error: shown\n');
  });

  it('prints a list as JSON, as its keys alone with --quiet, or for people', () => {
    const rows = [{ id: 'a1' }, { id: 'b2' }];
    const human = (list: { id: string }[]) => `table of ${list.length}`;
    const modes = [{ json: true }, { quiet: true }, {}];
    const printed = modes.map((mode) => {
      const { output, stdout } = makeOutput(mode);
      output.list(rows, (r) => r.id, (list) => output.info(human(list)));
      return stdout.text;
    });
    expect(JSON.parse(printed[0] ?? '')).toEqual(rows);
    expect(printed[1]).toBe('a1\nb2\n');
    expect(printed[2]).toBe('table of 2\n');
    const empty = makeOutput({ quiet: true });
    empty.output.list([], (r: { id: string }) => r.id, () => {});
    expect(empty.stdout.text).toBe('');
  });

  it('colours only when asked', () => {
    const plain = makeOutput();
    plain.output.success('x');
    expect(plain.stdout.text).not.toContain('\u001b[');
    const coloured = makeOutput({ color: true });
    coloured.output.success('x');
    expect(coloured.stdout.text).toContain('\u001b[');
  });

  it('draws tables and aligned fields with a dash for empty values', () => {
    const { output, stdout } = makeOutput();
    output.table(
      ['Name', 'Count'],
      [
        ['alpha', 3],
        ['beta', null],
      ],
    );
    output.fields([
      ['Name', 'alpha'],
      ['Description', null],
    ]);
    expect(stdout.text).toMatch(/│ Name\s+│ Count │/);
    expect(stdout.text).toMatch(/│ alpha\s+│ 3\s+│/);
    expect(stdout.text).toContain('Name         alpha\nDescription  -\n');
  });

  it('gives a silent spinner off a terminal', async () => {
    const { output, stderr } = makeOutput();
    const spinner = await output.spinner('working');
    spinner.update('still working');
    spinner.succeed('done');
    expect(stderr.text).toBe('');
  });

  it('spins only on a terminal that reports its width (0 columns never settles)', async () => {
    const terminal = (columns: number) => Object.assign(new Sink(), { isTTY: true, columns });
    expect(isLiveTerminal(terminal(80))).toBe(true);
    expect(isLiveTerminal(terminal(0))).toBe(false);
    expect(isLiveTerminal(new Sink())).toBe(false);
    const stderr = terminal(0);
    const { output } = makeOutput({ stderr });
    const spinner = await output.spinner('working');
    spinner.succeed('done');
    expect(stderr.text).toBe('');
  });
});

describe('handleError', () => {
  it('maps typed errors to one line and their exit code', () => {
    const cases = [
      [new NotFoundError('Project "x" not found'), 1],
      [new ConflictError('exists'), 1],
      [new ValidationError('bad'), 2],
    ] as const;
    for (const [error, code] of cases) {
      const { output, stderr } = makeOutput();
      expect(handleError(error, output, false)).toBe(code);
      expect(stderr.text.trim().split('\n')).toHaveLength(1);
      expect(stderr.text).toContain(error.message);
    }
  });

  it('shows the stack of a typed error only with --verbose', () => {
    const { output, stderr } = makeOutput({ verbose: true });
    handleError(new NotFoundError('gone'), output, true);
    expect(stderr.text).toMatch(/debug: NotFoundError: gone\n\s+at /);
  });

  it('reports an unexpected error as a bug, with its stack', () => {
    const { output, stderr } = makeOutput();
    expect(handleError(new TypeError('x is undefined'), output, false)).toBe(1);
    expect(stderr.text).toMatch(/Error: x is undefined \(this is a bug in prompt-runner/);
    expect(stderr.text).toMatch(/\n\s+at /);
  });

  it('turns commander parse errors into usage errors and lets --help pass', () => {
    const { output, stderr } = makeOutput();
    const parseError = new CommanderError(
      1,
      'commander.unknownOption',
      "error: unknown option '--x'",
    );
    expect(handleError(parseError, output, false)).toBe(2);
    expect(stderr.text).toBe("Error: unknown option '--x' (see --help)\n");
    const help = new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)');
    expect(handleError(help, output, false)).toBe(0);
  });

  it('explains a locked database instead of calling it a bug', () => {
    const { output, stderr } = makeOutput();
    const busy = Object.assign(new Error('Operation has timed out'), { code: 'P1008' });
    expect(handleError(busy, output, false)).toBe(1);
    expect(stderr.text).toContain('stayed locked by another process');
  });
});
