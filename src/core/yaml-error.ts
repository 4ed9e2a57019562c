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
    return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      throw new ValidationError(
        `${source} expands too many YAML aliases (more than ${MAX_ALIAS_COUNT})`,
      );
    }
    throw error;
  }
}
