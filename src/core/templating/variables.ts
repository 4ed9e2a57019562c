// Which variables a template uses, read from its AST. A variable is required when every
// render needs it: used outside any block body, and not only tested (`#if`, `#unless`, a
// section) or given a fallback (`default`).
// `hbs` is the global AST namespace declared by handlebars' types.
import { HELPER_NAMES } from './helpers.js';

type Node = hbs.AST.Node;
type Expression = hbs.AST.Expression;

export interface VariableUse {
  name: string;
  required: boolean;
}

export interface TemplateAnalysis {
  variables: VariableUse[];
  /** Names of the partials included with `{{> name}}`. */
  partials: string[];
  /**
   * Partials included without arguments somewhere (`{{> name}}`): they see the caller's
   * variables, so theirs are the caller's. One given a context or arguments
   * (`{{> card person title="x"}}`) gets its variables from them.
   */
  bare: string[];
}

/** Helpers whose block runs in a new context: paths inside refer to that context. */
const CONTEXT_BLOCKS = new Set(['each', 'with']);
/** Helpers whose first argument may be missing. */
const OPTIONAL_FIRST_ARG = new Set(['if', 'unless', 'default']);

interface Scope {
  /** Blocks entered that changed the context. */
  depth: number;
  /** Inside a block body, which may not run. */
  conditional: boolean;
  /** Block parameters in scope (`as |item index|`). */
  params: Set<string>;
}

export function analyzeProgram(program: hbs.AST.Program): TemplateAnalysis {
  const uses = new Map<string, boolean>();
  const partials = new Set<string>();
  const bare = new Set<string>();

  const record = (name: string, required: boolean) => {
    uses.set(name, (uses.get(name) ?? false) || required);
  };

  const visitPath = (path: hbs.AST.PathExpression, scope: Scope, required: boolean) => {
    const [head] = path.parts;
    if (path.data) {
      // @root.x is the top-level variable x; other @data (@index, @key…) are not variables.
      if (path.parts[0] === 'root' && path.parts[1]) {
        record(path.parts[1], required && !scope.conditional);
      }
      return;
    }
    if (!head || scope.params.has(head)) return;
    // `../` climbs out of context blocks; a path is top-level when it climbs out of all of them.
    if (path.depth >= scope.depth) record(head, required && !scope.conditional);
  };

  const visitExpression = (expression: Expression, scope: Scope, required: boolean) => {
    if (expression.type === 'PathExpression') {
      visitPath(expression as hbs.AST.PathExpression, scope, required);
    } else if (expression.type === 'SubExpression') {
      visitCall(expression as hbs.AST.SubExpression, scope);
    }
  };

  const visitHash = (hash: hbs.AST.Hash | undefined, scope: Scope) => {
    for (const pair of hash?.pairs ?? []) visitExpression(pair.value, scope, true);
  };

  /** A mustache, block or sub-expression: a helper call when it has arguments or a helper name. */
  const visitCall = (
    node: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression,
    scope: Scope,
  ) => {
    const path = node.path as hbs.AST.PathExpression;
    const name = path.type === 'PathExpression' ? path.original : undefined;
    const isHelper =
      node.params.length > 0 ||
      (node.hash?.pairs.length ?? 0) > 0 ||
      (name !== undefined && HELPER_NAMES.has(name));
    if (!isHelper) {
      if (path.type === 'PathExpression') visitPath(path, scope, true);
      return;
    }
    node.params.forEach((param, index) => {
      const optional = index === 0 && name !== undefined && OPTIONAL_FIRST_ARG.has(name);
      visitExpression(param, scope, !optional);
    });
    visitHash(node.hash, scope);
  };

  const visitBlock = (block: hbs.AST.BlockStatement, scope: Scope) => {
    const name = (block.path as hbs.AST.PathExpression).original;
    if (block.params.length === 0 && !HELPER_NAMES.has(name)) {
      // {{#section}}…{{/section}}: a section over a variable, tested rather than required.
      visitPath(block.path as hbs.AST.PathExpression, scope, false);
    } else {
      visitCall(block, scope);
    }
    const changesContext = CONTEXT_BLOCKS.has(name) || !HELPER_NAMES.has(name);
    const inner: Scope = {
      depth: changesContext ? scope.depth + 1 : scope.depth,
      conditional: true,
      params: new Set([...scope.params, ...(block.program?.blockParams ?? [])]),
    };
    if (block.program) visitStatements(block.program.body, inner);
    if (block.inverse) visitStatements(block.inverse.body, { ...scope, conditional: true });
  };

  const visitStatements = (body: hbs.AST.Statement[], scope: Scope) => {
    for (const statement of body) visitNode(statement, scope);
  };

  const visitNode = (node: Node, scope: Scope) => {
    switch (node.type) {
      case 'MustacheStatement':
        visitCall(node as hbs.AST.MustacheStatement, scope);
        break;
      case 'BlockStatement':
        visitBlock(node as hbs.AST.BlockStatement, scope);
        break;
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const partial = node as hbs.AST.PartialStatement;
        if (partial.name.type === 'PathExpression') {
          const name = (partial.name as hbs.AST.PathExpression).original;
          partials.add(name);
          if (partial.params.length === 0 && (partial.hash?.pairs.length ?? 0) === 0)
            bare.add(name);
        }
        for (const param of partial.params) visitExpression(param, scope, true);
        visitHash(partial.hash, scope);
        if (node.type === 'PartialBlockStatement') {
          visitStatements((node as hbs.AST.PartialBlockStatement).program.body, scope);
        }
        break;
      }
      default:
        break;
    }
  };

  visitStatements(program.body, { depth: 0, conditional: false, params: new Set() });
  return {
    variables: [...uses].map(([name, required]) => ({ name, required })),
    partials: [...partials],
    bare: [...bare],
  };
}
