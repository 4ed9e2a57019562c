// A YAML file read for checking: every problem found is reported with its path and line, as
// workflow and eval files are.
import { LineCounter, parseDocument } from 'yaml';
import { ValidationError } from './errors.js';
import { describeYamlError, yamlValue } from './yaml-error.js';

export interface FileProblem {
  /** Where in the file: `steps[2].prompt`, or `(file)`. */
  path: string;
  line: number | null;
  message: string;
}

export type PathPart = string | number;

export function formatPath(path: PathPart[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`,
    )
    .join('');
}

export type YamlFile =
  | { raw: unknown; lineOf: (path: PathPart[]) => number | null; problems?: undefined }
  | { problems: FileProblem[] };

/** The file's value and a way to find the line of a path in it, or why it is not YAML. */
export function readYamlFile(text: string): YamlFile {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => ({
        path: '(file)',
        line: error.linePos?.[0].line ?? null,
        message: `not valid YAML: ${describeYamlError(error)}`,
      })),
    };
  }
  let raw: unknown;
  try {
    raw = yamlValue(document, 'The file');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { problems: [{ path: '(file)', line: null, message: error.message }] };
  }
  const lineOf = (path: PathPart[]): number | null => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as { range?: [number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return null;
  };
  return { raw, lineOf };
}
