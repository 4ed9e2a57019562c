// A json step's answer: the JSON in it (bare, or in a ```json fence, repaired when slightly
// broken), checked against the step's JSON schema.
import { ValidationError } from '../core/errors.js';

const FENCE = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/;

/** The JSON text inside an answer: a fenced block, else from the first { or [ to its last match. */
function jsonText(answer: string): string {
  const fenced = FENCE.exec(answer);
  if (fenced?.[1]) return fenced[1].trim();
  const start = answer.search(/[[{]/);
  if (start < 0) return answer.trim();
  const close = answer[start] === '{' ? '}' : ']';
  const end = answer.lastIndexOf(close);
  return answer.slice(start, end > start ? end + 1 : undefined).trim();
}

export async function parseJsonOutput(
  answer: string,
  schema: Record<string, unknown> | undefined,
): Promise<unknown> {
  const text = jsonText(answer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Repair only what looks like JSON that went slightly wrong, never prose.
    if (!/^[[{]/.test(text)) throw new ValidationError('the answer holds no JSON');
    const { jsonrepair } = await import('jsonrepair');
    try {
      value = JSON.parse(jsonrepair(text));
    } catch {
      throw new ValidationError('the answer holds no JSON that could be read');
    }
  }
  if (schema) {
    const { default: Ajv } = await import('ajv');
    const ajv = new (Ajv as unknown as typeof import('ajv').Ajv)({
      allErrors: true,
      strict: false,
    });
    const validate = ajv.compile(schema);
    if (!validate(value)) {
      const problems = (validate.errors ?? [])
        .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
        .join('; ');
      throw new ValidationError(`the JSON does not match the step's schema: ${problems}`);
    }
  }
  return value;
}
