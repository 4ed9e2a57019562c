// The template engine: Handlebars without HTML escaping (prompts are not HTML), strict about
// missing variables, parsed on save with the error's line and column, and partials that are
// other prompts. A variable's value is data: it is inserted, never compiled as a template.
import Handlebars from 'handlebars';
import { AppError, ValidationError } from '../errors.js';
import { HELPERS } from './helpers.js';
import { analyzeProgram, type TemplateAnalysis } from './variables.js';

export interface SourceLocation {
  line: number;
  column: number;
}

export class TemplateSyntaxError extends ValidationError {
  constructor(
    readonly reason: string,
    readonly location: SourceLocation | undefined,
    readonly templateName?: string,
  ) {
    const where = location ? ` at line ${location.line}, column ${location.column}` : '';
    const what = templateName ? `Template "${templateName}"` : 'Template';
    super(`${what} has a syntax error${where}: ${reason}`, { code: 'TEMPLATE_SYNTAX' });
    this.name = 'TemplateSyntaxError';
  }
}

export class MissingVariablesError extends ValidationError {
  constructor(readonly missing: string[]) {
    const list = missing.map((name) => `"${name}"`).join(', ');
    super(`Missing variable${missing.length === 1 ? '' : 's'}: ${list}`, {
      code: 'MISSING_VARIABLES',
      hint: 'pass them with --var name=value or --vars-file',
    });
    this.name = 'MissingVariablesError';
  }
}

interface ParseErrorHash {
  text?: string;
  token?: string;
  expected?: string[];
  loc?: { first_line: number; first_column: number };
}

// The parser reports a location only through this hook; keep it on the thrown error. `parse`
// swaps in its own `yy` object on first use, so parse once before installing the hook.
Handlebars.parse('');
(Handlebars as unknown as { Parser: { yy: Record<string, unknown> } }).Parser.yy.parseError = (
  message: string,
  hash: ParseErrorHash,
) => {
  const location = hash.loc
    ? { line: hash.loc.first_line, column: hash.loc.first_column + 1 }
    : undefined;
  throw new TemplateSyntaxError(describeParseError(message, hash), location);
};

function describeParseError(message: string, hash: ParseErrorHash): string {
  const expected = hash.expected ?? [];
  if (hash.token === 'EOF') {
    return expected.includes("'OPEN_ENDBLOCK'")
      ? 'a block is not closed (missing {{/…}})'
      : 'the template ends inside a tag';
  }
  const found = hash.text ? `'${hash.text}'` : (hash.token ?? 'token');
  if (expected.includes("'CLOSE'")) return `unexpected ${found}, expected '}}'`;
  return expected.length > 0 ? `unexpected ${found}` : (message.split('\n')[0] ?? message);
}

export function parseTemplate(source: string, templateName?: string): hbs.AST.Program {
  try {
    return Handlebars.parse(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      throw new TemplateSyntaxError(error.reason, error.location, templateName);
    }
    // Structural errors ("if doesn't match each - 1:3") carry lineNumber and column.
    const { lineNumber, column, message } = error as {
      lineNumber?: number;
      column?: number;
      message: string;
    };
    const reason = message.replace(/\s+-\s+\d+:\d+$/, '').split('\n')[0] ?? message;
    const location =
      lineNumber !== undefined ? { line: lineNumber, column: (column ?? 0) + 1 } : undefined;
    throw new TemplateSyntaxError(reason, location, templateName);
  }
}

// A render analyses the same templates several times (checks, partials, the render itself).
const analyses = new Map<string, ParsedTemplate>();
const ANALYSES_KEPT = 32;

interface ParsedTemplate extends TemplateAnalysis {
  program: hbs.AST.Program;
}

export function analyzeTemplate(source: string, templateName?: string): ParsedTemplate {
  const known = analyses.get(source);
  if (known) return known;
  const program = parseTemplate(source, templateName);
  const analysis = { ...analyzeProgram(program), program };
  if (analyses.size >= ANALYSES_KEPT) analyses.delete(analyses.keys().next().value as string);
  analyses.set(source, analysis);
  return analysis;
}

/**
 * The templates whose variables a render must be given: the sources, and the partials they
 * (and those partials) include without arguments. A partial given arguments is checked when
 * it renders, against them.
 */
export function checkedSources(sources: string[], partials: Record<string, string>): string[] {
  const checked = [...sources];
  const seen = new Set<string>();
  for (let i = 0; i < checked.length; i++) {
    for (const name of analyzeTemplate(checked[i] ?? '').bare) {
      const body = partials[name];
      if (body === undefined || seen.has(name)) continue;
      seen.add(name);
      checked.push(body);
    }
  }
  return checked;
}

/** Throws one error naming every variable the sources require and `variables` lacks. */
export function assertVariables(sources: string[], variables: Record<string, unknown>): void {
  const required = new Set<string>();
  for (const source of sources) {
    for (const use of analyzeTemplate(source).variables) {
      if (use.required) required.add(use.name);
    }
  }
  const missing = [...required].filter((name) => !Object.hasOwn(variables, name));
  if (missing.length > 0) throw new MissingVariablesError(missing);
}

/** What a render gets besides its variables: context data (`@state`, `@auth`, …). */
export type RenderData = Record<string, unknown>;

export interface RenderOptions {
  /** Bodies of the partials the template (and its partials) include, by name. */
  partials?: Record<string, string>;
  templateName?: string;
}

/** A template compiled once, to render with many sets of variables. */
export type TemplateRenderer = (variables: Record<string, unknown>, data?: RenderData) => string;

/**
 * Compiles `source` (with its partials) for rendering. Every required variable missing from
 * a render's variables is named in one error, before rendering; variables inside conditional
 * blocks are checked by Handlebars' strict mode when their branch runs.
 */
export function compileTemplate(source: string, options: RenderOptions = {}): TemplateRenderer {
  const partials = options.partials ?? {};
  const sources = checkedSources([source], partials);
  // Each source is parsed once (syntax errors surface here) and compiled from that tree.
  const tree = (body: string) => analyzeTemplate(body, options.templateName).program;
  const program = tree(source);
  const entries = Object.entries(partials).map(([name, body]) => [name, tree(body)] as const);
  // Partials are registered by name, so a template with partials gets its own environment.
  const env = entries.length > 0 ? environment() : sharedEnvironment();
  for (const [name, partial] of entries)
    env.registerPartial(name, env.compile(partial, compileOptions));
  const template = env.compile(program, compileOptions);
  return (variables, data) => {
    assertVariables(sources, variables);
    try {
      return template(variables, data ? { data } : undefined);
    } catch (error) {
      throw renderError(error);
    }
  };
}

function environment(): typeof Handlebars {
  const env = Handlebars.create();
  env.registerHelper(HELPERS);
  (env as unknown as WithCompiler).JavaScriptCompiler = LenientData;
  return env;
}

// Variables are strict, but `@` data (`@state.count`, `@auth.email`) is context the caller may
// or may not give: a missing one renders as nothing, as in Dotprompt.
interface WithCompiler {
  JavaScriptCompiler: new () => DataCompiler;
}
interface DataCompiler {
  options: { strict?: boolean };
  lookupData(depth: number, parts: string[], strict: boolean): void;
}
const Base = (Handlebars as unknown as WithCompiler).JavaScriptCompiler;
class LenientData extends Base {
  override lookupData(depth: number, parts: string[], strict: boolean): void {
    const { options } = this;
    const wasStrict = options.strict;
    options.strict = false;
    try {
      super.lookupData(depth, parts, strict);
    } finally {
      options.strict = wasStrict;
    }
  }
}
// Nested programs (block bodies) are compiled by the prototype's `compiler`.
(LenientData.prototype as unknown as { compiler: unknown }).compiler = LenientData;

let shared: typeof Handlebars | undefined;
function sharedEnvironment(): typeof Handlebars {
  shared ??= environment();
  return shared;
}

export function renderTemplate(
  source: string,
  variables: Record<string, unknown>,
  options: RenderOptions = {},
): string {
  return compileTemplate(source, options)(variables);
}

const compileOptions = { noEscape: true, strict: true } as const;

/** A nested field missing at render time (`user.name` with no `name`) or a missing partial. */
function renderError(error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  // The object named in the message may print over several lines (a json step's output).
  const field = /^"(.+?)" not defined in [\s\S]* - (\d+):(\d+)$/.exec(message);
  if (field) {
    return new ValidationError(
      `Missing variable "${field[1]}" at line ${field[2]}, column ${Number(field[3]) + 1}`,
      { code: 'MISSING_VARIABLES', hint: 'the value given has no such field' },
    );
  }
  const partial = /^The partial (.+) could not be found$/.exec(message);
  if (partial) {
    // Partials named in the template are loaded before rendering: this one was named at render
    // time (`{{> (lookup . "name")}}`), or is a partial block's missing partial.
    return new ValidationError(`Partial "${partial[1]}" not found`, {
      hint: 'a partial is loaded when the template names it: `{{> name}}`, not a name computed while rendering',
    });
  }
  if (error instanceof AppError) return error;
  // Any other failure of the template itself: `{{#each}}` with nothing to iterate, a missing
  // decorator or helper, a built-in helper given nothing (`{{lookup}}`).
  return new ValidationError(`The template cannot be rendered: ${message}`, {
    code: 'TEMPLATE_RENDER',
  });
}
