// The prompt library as MCP prompts: listed with their arguments (the declared variables),
// rendered into MCP messages. A server started with a label serves only the prompts that
// have it, at the version it points at; without one, the latest versions.
import { ValidationError } from '../core/errors.js';
import type { ContentPart } from '../core/model-client/types.js';
import type { PromptRecord } from '../db/repositories/prompt-repository.js';
import { createMediaReader, DEFAULT_MEDIA_BYTES, toChatMessages } from '../services/media-parts.js';
import type { PromptScope, PromptService, PromptView } from '../services/prompt-service.js';

export interface McpPromptArgument {
  name: string;
  description?: string;
  required: boolean;
}

export interface McpPrompt {
  name: string;
  description?: string;
  arguments: McpPromptArgument[];
}

type McpContent =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'audio'; data: string; mimeType: string };

export interface McpMessage {
  role: 'user' | 'assistant';
  content: McpContent;
}

export interface PromptLibraryOptions {
  scope: PromptScope;
  /** Serve only the prompts with this label, at the version it points at. */
  label?: string;
}

export class PromptLibrary {
  constructor(
    private readonly prompts: PromptService,
    private readonly options: PromptLibraryOptions,
  ) {}

  /** The prompts an agent may use, with their arguments. */
  async list(): Promise<McpPrompt[]> {
    const { label, scope } = this.options;
    const all = await this.prompts.list(scope);
    const served = label ? all.filter((p) => p.labels.some((l) => l.name === label)) : all;
    const listed: McpPrompt[] = [];
    for (const prompt of served) {
      const view = label ? await this.prompts.get(scope, `${prompt.name}@${label}`) : undefined;
      listed.push(describe(prompt, view ?? { prompt, version: prompt.latest }));
    }
    return listed;
  }

  /**
   * The messages of a prompt rendered with the agent's arguments (text, parsed per the
   * prompt's input schema). `name@3` or `name@label` names another version.
   */
  async get(
    name: string,
    args: Record<string, string>,
  ): Promise<{ description?: string; messages: McpMessage[] }> {
    const reference = this.reference(name);
    const renderer = await this.prompts.renderer(this.options.scope, reference);
    const rendered = renderer.render(args);
    const media = createMediaReader({
      root: this.options.scope.project?.rootPath ?? null,
      maxBytes: DEFAULT_MEDIA_BYTES,
    });
    const description = renderer.view.prompt.description ?? undefined;
    return {
      ...(description ? { description } : {}),
      messages: toMcp(toChatMessages(rendered.messages, media)),
    };
  }

  private reference(name: string): string {
    return servedReference(name, this.options.label);
  }
}

/**
 * The version a server serves of a prompt: with a label, the version it points at (and no
 * other: a server for agents serves released prompts); without one, as named (`name@3`).
 */
export function servedReference(name: string, label: string | undefined): string {
  if (!label) return name;
  const at = name.indexOf('@');
  if (at >= 0 && name.slice(at + 1) !== label) {
    throw new ValidationError(`This server serves only the versions labelled "${label}"`, {
      hint: `ask for ${name.slice(0, at)}`,
    });
  }
  return at >= 0 ? name : `${name}@${label}`;
}

function describe(prompt: PromptRecord, view: PromptView): McpPrompt {
  return {
    name: prompt.name,
    ...(prompt.description ? { description: prompt.description } : {}),
    arguments: view.version.variables.map((variable) => ({
      name: variable.name,
      ...(variable.description ? { description: variable.description } : {}),
      required: variable.required && variable.default === undefined,
    })),
  };
}

/**
 * MCP has no system role: system texts are folded into the first user message, ahead of its
 * own text. Each part becomes a message of its own, as MCP messages hold one content each.
 */
export function toMcp(
  messages: { role: 'system' | 'user' | 'assistant'; content: string | ContentPart[] }[],
): McpMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => text(m.content));
  const out: McpMessage[] = [];
  let folded = system.length === 0;
  for (const message of messages) {
    if (message.role === 'system') continue;
    const parts =
      typeof message.content === 'string'
        ? [{ type: 'text' as const, text: message.content }]
        : message.content;
    for (const [index, part] of parts.entries()) {
      let content = contentOf(part);
      if (!folded && message.role === 'user' && index === 0 && content.type === 'text') {
        content = { type: 'text', text: `${system.join('\n\n')}\n\n${content.text}` };
        folded = true;
      }
      out.push({ role: message.role, content });
    }
  }
  if (!folded) out.unshift({ role: 'user', content: { type: 'text', text: system.join('\n\n') } });
  return out;
}

function text(content: string | ContentPart[]): string {
  return typeof content === 'string'
    ? content
    : content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function contentOf(part: ContentPart): McpContent {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image_url') {
    const data = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
    if (data) return { type: 'image', mimeType: data[1] ?? 'image/png', data: data[2] ?? '' };
    return { type: 'text', text: `[image: ${part.image_url.url}]` };
  }
  if (part.type === 'input_audio') {
    return {
      type: 'audio',
      mimeType: `audio/${part.input_audio.format}`,
      data: part.input_audio.data,
    };
  }
  return { type: 'text', text: `[file: ${part.file.filename}]` };
}
