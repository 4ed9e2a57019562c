import type { YAMLError } from 'yaml';

/** "line 3, column 7: Flow map must end with a }" from a YAML parse error. */
export function describeYamlError(error: YAMLError): string {
  const reason = (error.message.split('\n')[0] ?? error.message).replace(
    /\s+at line \d+, column \d+:?$/,
    '',
  );
  const position = error.linePos?.[0];
  return position ? `line ${position.line}, column ${position.col}: ${reason}` : reason;
}
