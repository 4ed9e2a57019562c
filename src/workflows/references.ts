// What a workflow template refers to: `{{inputs.x}}` and `{{steps.<id>.output[.field]}}`,
// read from the Handlebars AST (helper arguments and blocks included).

export interface StepReference {
  id: string;
  /** `field` in `steps.<id>.output.field`, for json steps. */
  field?: string;
  /** The path as written, for messages. */
  path: string;
}

export interface TemplateReferences {
  inputs: string[];
  steps: StepReference[];
}

/** The references in a parsed template. */
export function findReferences(program: hbs.AST.Program): TemplateReferences {
  const inputs = new Set<string>();
  const steps = new Map<string, StepReference>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const record = node as { type?: string; parts?: string[]; original?: string; data?: boolean };
    if (record.type === 'PathExpression' && !record.data && record.parts) {
      const [root, name, output, field] = record.parts;
      if (root === 'inputs' && name) inputs.add(name);
      if (root === 'steps' && name) {
        const path = record.original ?? record.parts.join('.');
        const reference: StepReference = { id: name, path };
        if (output === 'output' && field) reference.field = field;
        steps.set(path, reference);
      }
      return;
    }
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'loc' && typeof value === 'object') visit(value);
    }
  };
  visit(program);
  return { inputs: [...inputs], steps: [...steps.values()] };
}
