import type { Document, YAMLError } from 'yaml';
import { ValidationError } from './errors.js';

/** "line 3, column 7: Flow map must end with a }" from a YAML parse error. */
export function describeYamlError(error: YAMLError): string {
  const reason = (error.message.split('\n')[0] ?? error.message).replace(
    /\s+at line \d+, column \d+:?$/,
    '',
  );
  const position = error.linePos?.[0];
  return position ? `line ${position.line}, column ${position.col}: ${reason}` : reason;
}

/** Aliases a YAML file may expand: enough for shared anchors, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * The plain value of a parsed YAML document. Every reader of user YAML goes through here, so
 * an alias bomb is one validation error naming `source` rather than an internal error.
 */
export function yamlValue(document: Document, source: string): unknown {
  try {
    const value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    assertAcyclic(value, source);
    return value;
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new ValidationError(
        `${source} expands too many YAML aliases (more than ${MAX_ALIAS_COUNT})`,
      );
    }
    throw error;
  }
}

/**
 * An anchor used inside itself (`a: &x [*x]`) makes a value that contains itself: nothing can
 * store, send or print it, so it is refused as the file's error.
 */
export function assertAcyclic(value: unknown, source: string): void {
  const open = new Set<object>();
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    if (open.has(node)) {
      throw new ValidationError(`${source} has a YAML anchor used inside itself (a loop)`);
    }
    open.add(node);
    for (const child of Object.values(node)) visit(child);
    open.delete(node);
  };
  visit(value);
}
