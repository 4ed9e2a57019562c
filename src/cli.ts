// The commander program: global options, the command groups, and `run`, which parses argv,
// runs the command and returns the exit code. Nothing here calls process.exit.
import { Command, Option } from 'commander';
import type { CommandDeps } from './commands/shared.js';
import type { AppContext, CliDeps, GlobalOptions } from './core/context.js';
import { handleError, isCleanExit } from './core/error-handler.js';
import { EXIT_OK } from './core/errors.js';
import { packageVersion } from './core/package-root.js';

export const VERSION: string = packageVersion();

export interface Program {
  program: Command;
  /** The context created by the command that ran, if any. */
  context(): AppContext | undefined;
}

type GroupFactory = (deps: CommandDeps) => Command;

/**
 * The command groups, in help order. A group's module is loaded only when the command line
 * names it; the others are listed by name and description, so start-up does not build (or
 * even compile) every command.
 */
const GROUPS: { name: string; description: string; load(): Promise<GroupFactory> }[] = [
  {
    name: 'project',
    description: 'Create and manage projects',
    load: async () => (await import('./commands/project/index.js')).createProjectCommand,
  },
  {
    name: 'prompt',
    description: 'Versioned Handlebars prompt templates',
    load: async () => (await import('./commands/prompt/index.js')).createPromptCommand,
  },
  {
    name: 'workflow',
    description: 'Multi-step prompt pipelines in YAML, run as a DAG, recorded and resumable',
    load: async () => (await import('./commands/workflow/index.js')).createWorkflowCommand,
  },
  {
    name: 'orchestrate',
    description: 'Plan a feature in three phases: plan → analyze → implement',
    load: async () => (await import('./commands/orchestrate/index.js')).createOrchestrateCommand,
  },
  {
    name: 'eval',
    description: 'Measure prompts and models over a dataset; gate CI on the pass rate',
    load: async () => (await import('./commands/eval/index.js')).createEvalCommand,
  },
  {
    name: 'optimize',
    description:
      'Rewrite a prompt with a model; keep the rewrite only when it wins on held-out cases',
    load: async () => (await import('./commands/optimize/index.js')).createOptimizeCommand,
  },
  {
    name: 'execution',
    description: 'The record of every model call: list, show, search, stats, export, prune',
    load: async () => (await import('./commands/execution/index.js')).createExecutionCommand,
  },
  {
    name: 'cache',
    description: 'The cache of model answers (on by default; --no-cache skips it)',
    load: async () => (await import('./commands/cache/index.js')).createCacheCommand,
  },
  {
    name: 'mcp',
    description: 'Serve the prompt library and the planner to coding agents (MCP over stdio)',
    load: async () => (await import('./commands/mcp/index.js')).createMcpCommand,
  },
  {
    name: 'config',
    description: 'Read and change settings (stored in config.json)',
    load: async () => (await import('./commands/config/index.js')).createConfigCommand,
  },
  {
    name: 'db',
    description: 'Inspect, migrate, back up and copy the store (SQLite, or PostgreSQL for a team)',
    load: async () => (await import('./commands/db/index.js')).createDbCommand,
  },
];

/** Builds the program for `argv`: the groups it names in full, the rest as help entries. */
export async function createProgram(deps: CliDeps, argv: readonly string[]): Promise<Program> {
  let context: AppContext | undefined;
  const commandDeps: CommandDeps = {
    context: async (command) => {
      if (!context) {
        const { AppContext } = await import('./core/context.js');
        context = new AppContext(deps, globalOptions(command));
      }
      return context;
    },
  };

  const program = new Command('prompt-runner')
    .description(
      'Versioned prompt templates, model runs, workflows and feature plans, recorded in SQLite (or PostgreSQL for a team).',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .enablePositionalOptions();
  const named = new Set(argv);
  const groups = await Promise.all(
    GROUPS.map(async ({ name, description, load }) =>
      (named.has(name) ? (await load())(commandDeps) : new Command(name)).description(description),
    ),
  );
  for (const group of groups) program.addCommand(group);

  program.addHelpText(
    'after',
    `
Examples:
  $ prompt-runner project create myapp --root .
  $ prompt-runner project use myapp
  $ prompt-runner config set model gpt-4o-mini
  $ prompt-runner project list --json

Environment: PROMPT_RUNNER_HOME, PROMPT_RUNNER_DB, PROMPT_RUNNER_PROJECT, PROMPT_RUNNER_MODEL,
OPENAI_API_KEY, OPENAI_BASE_URL, NO_COLOR.`,
  );

  configureTree(program, deps);
  // Only the program's own --version writes exactly this text; with --json it is a document.
  program.configureOutput({
    writeOut: (text) =>
      deps.stdout.write(
        text === `${VERSION}\n` && argv.includes('--json')
          ? `${JSON.stringify({ version: VERSION })}\n`
          : text,
      ),
  });
  return { program, context: () => context };
}

/** The options every command takes, before or after its name. */
function globalOptionList(): Option[] {
  return [
    new Option('--json', 'print exactly one JSON document on stdout'),
    new Option('-q, --quiet', 'print only essential output'),
    new Option('--no-color', 'disable colours (also NO_COLOR)'),
    new Option(
      '--db <file|url>',
      'the store: an SQLite file or a postgresql:// URL (default: the config, PROMPT_RUNNER_DB or the data directory)',
    ),
    new Option('-v, --verbose', 'debug output and stack traces'),
  ];
}

/**
 * Global options given anywhere on the line. Each command declares them itself (so that a
 * command's own `--version N` is not taken for the program's `--version`), so merge by hand:
 * a flag counts wherever it was given.
 */
function globalOptions(command: Command): GlobalOptions {
  const levels = collectLevels(command);
  return {
    json: levels.some((o) => o.json === true),
    quiet: levels.some((o) => o.quiet === true),
    verbose: levels.some((o) => o.verbose === true),
    color: !levels.some((o) => o.color === false),
    db: levels.map((o) => o.db).find((db): db is string => typeof db === 'string'),
  };
}

function collectLevels(command: Command): GlobalOptions[] {
  const levels: GlobalOptions[] = [];
  for (let cmd: Command | null = command; cmd; cmd = cmd.parent) levels.push(cmd.opts());
  return levels;
}

/**
 * Every command gets the global options and the same error and output handling (commander
 * copies settings only to subcommands created by `.command()`).
 */
function configureTree(root: Command, deps: CliDeps): void {
  const visit = (command: Command) => {
    for (const option of globalOptionList()) command.addOption(option);
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => deps.stdout.write(text),
        writeErr: (text) => deps.stderr.write(text),
        // Parse errors are printed once, by the error handler.
        outputError: () => {},
      })
      .configureHelp({ sortSubcommands: false });
    for (const sub of command.commands) visit(sub);
  };
  visit(root);
}

export async function run(argv: string[], deps: CliDeps): Promise<number> {
  const { program, context } = await createProgram(deps, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (isCleanExit(error)) return EXIT_OK;
    const [{ Output }, { colorEnabled }] = await Promise.all([
      import('./core/output.js'),
      import('./core/context.js'),
    ]);
    const ctx = context();
    const verbose = ctx
      ? Boolean(ctx.options.verbose)
      : argv.includes('--verbose') || argv.includes('-v');
    // Errors raised before any command built its context (parse errors) still need an output.
    const output =
      ctx?.output ??
      new Output({
        json: argv.includes('--json'),
        quiet: false,
        verbose,
        color: colorEnabled(deps, !argv.includes('--no-color')),
        stdout: deps.stdout,
        stderr: deps.stderr,
      });
    return handleError(error, output, verbose);
  } finally {
    await context()?.dispose();
  }
}
