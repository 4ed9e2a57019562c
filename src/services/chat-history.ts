// Earlier turns of a conversation, read from a file the user gives: a JSON array of messages,
// or JSONL (one message a line). Messages may be written as Dotprompt writes them
// (`{role: 'model', content: [{text}]}`) or as OpenAI's API takes them
// (`{role: 'assistant', content: '...'}`), so a log from either side can be replayed; both
// become Dotprompt messages, which the template's `{{history}}` places.
import { ValidationError } from '../core/errors.js';
import type { Part, PromptMessage, Role } from '../core/templating/messages.js';
import * as z from '../core/zod.js';
import { issueReason } from '../core/zod-issue.js';

const ROLE_NAMES: Record<string, Role> = {
  system: 'system',
  user: 'user',
  model: 'model',
  assistant: 'model',
  developer: 'system',
};
// Tool calls and their results are not sent yet: a history that holds them is refused
// when read (by render as by run), not when a call is made.

const metadata = z.optional(z.record(z.string(), z.unknown()));
// Role and content are checked by hand, for messages that say what is allowed.
const messageSchema = z.object({
  role: z.optional(z.unknown()),
  content: z.optional(z.unknown()),
  metadata,
});
const textPartSchema = z.object({ text: z.string(), metadata });
const mediaPartSchema = z.object({
  media: z.object({ url: z.string(), contentType: z.optional(z.string()) }),
  metadata,
});

// OpenAI's part types, each checked by its own schema so an error names the field at fault.
const openAiPartSchemas = {
  text: z.object({ text: z.string() }),
  image_url: z.object({ image_url: z.object({ url: z.string() }) }),
  input_audio: z.object({
    input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }),
  }),
  // `filename` is optional here: the part becomes a media part, which has no name.
  file: z.object({ file: z.object({ file_data: z.string(), filename: z.optional(z.string()) }) }),
};
type OpenAiType = keyof typeof openAiPartSchemas;
const OPENAI_TYPES = Object.keys(openAiPartSchemas) as OpenAiType[];

const HINT = 'a history file is a JSON array of messages, or one JSON message a line (JSONL)';

/** The messages of a history file's text; `fileName` only names it in errors. */
export function readHistory(text: string, fileName: string): PromptMessage[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return [];
  if (body.trimStart().startsWith('[')) {
    return parseHistory(parseJson(body, fileName), fileName);
  }
  const messages: PromptMessage[] = [];
  body.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${fileName} line ${index + 1}`;
    messages.push(parseMessage(parseJson(line, where), where));
  });
  return messages;
}

/** The messages of a parsed JSON value (an array); `where` names it in errors. */
export function parseHistory(value: unknown, where: string): PromptMessage[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(`${where}: expected an array of messages, got ${kindOf(value)}`, {
      hint: HINT,
    });
  }
  return value.map((item, index) => parseMessage(item, `${where} index ${index}`));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${where}: not valid JSON (${(error as Error).message})`, {
      hint: HINT,
    });
  }
}

function parseMessage(value: unknown, where: string): PromptMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`${where}: a message is an object, got ${kindOf(value)}`);
  }
  const message = check(messageSchema, value, where);
  const role = typeof message.role === 'string' ? ROLE_NAMES[message.role] : undefined;
  if (role === undefined) {
    throw new ValidationError(
      `${where}: role must be one of ${Object.keys(ROLE_NAMES).join(', ')}`,
    );
  }
  const content = parseContent(message.content, where);
  return message.metadata ? { role, content, metadata: message.metadata } : { role, content };
}

function parseContent(content: unknown, where: string): Part[] {
  if (typeof content === 'string') return [{ text: content }];
  if (content === undefined || content === null) {
    throw new ValidationError(`${where}: content is missing (a string or an array of parts)`);
  }
  if (!Array.isArray(content)) {
    throw new ValidationError(
      `${where}: content must be a string or an array of parts, got ${kindOf(content)}`,
    );
  }
  return content.map((part, index) => parsePart(part, where, `content[${index}]`));
}

function parsePart(part: unknown, where: string, field: string): Part {
  if (typeof part !== 'object' || part === null || Array.isArray(part)) {
    throw new ValidationError(`${where}: ${field} must be an object, got ${kindOf(part)}`);
  }
  if ('type' in part) {
    const type = OPENAI_TYPES.find((name) => name === part.type);
    if (type === undefined) {
      throw new ValidationError(
        `${where}: ${field}.type must be one of ${OPENAI_TYPES.join(', ')}`,
      );
    }
    return fromOpenAiPart(type, part, where, field);
  }
  if ('text' in part) return check(textPartSchema, part, where, field);
  if ('media' in part) return check(mediaPartSchema, part, where, field);
  throw new ValidationError(
    `${where}: ${field} needs text or media (Dotprompt), or a type (OpenAI: ${OPENAI_TYPES.join(', ')})`,
  );
}

function fromOpenAiPart(type: OpenAiType, part: object, where: string, field: string): Part {
  const parse = <T extends z.ZodMiniType>(schema: T) => check(schema, part, where, field);
  switch (type) {
    case 'text':
      return { text: parse(openAiPartSchemas.text).text };
    case 'image_url':
      return { media: { url: parse(openAiPartSchemas.image_url).image_url.url } };
    case 'input_audio': {
      const { data, format } = parse(openAiPartSchemas.input_audio).input_audio;
      return {
        media: { url: `data:audio/${format};base64,${data}`, contentType: `audio/${format}` },
      };
    }
    case 'file':
      return { media: { url: parse(openAiPartSchemas.file).file.file_data } };
  }
}

/** `value` parsed by `schema`; an error names the field at fault, from `field` down. */
function check<T extends z.ZodMiniType>(
  schema: T,
  value: unknown,
  where: string,
  field = '',
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? [])
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('');
  const at = `${field}${path}`.replace(/^\./, '');
  const reason = issue ? issueReason(issue) : 'invalid';
  throw new ValidationError(`${where}: ${at ? `${at}: ` : ''}${reason}`);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
