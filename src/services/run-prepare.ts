// Prepared calls: a prompt (stored or from a file) or a text rendered elsewhere, with the
// settings of its call and its messages as sent (media read into data URLs).
import type { Config } from '../core/config.js';
import { hasMarkers, markers, toMessages } from '../core/templating/messages.js';
import type {
  PromptParameters,
  PromptVersionRecord,
} from '../db/repositories/prompt-repository.js';
import { createMediaReader, DEFAULT_MEDIA_BYTES, toChatMessages } from './media-parts.js';
import { type RunFlags, resolveSettings } from './model-settings.js';
import type { PromptScope } from './prompt-service.js';
import type { MessagesRenderer, RenderExtras } from './prompt-template.js';
import type { CallLinks, PreparedCall, Preparer } from './run-types.js';
import { type OutputSpec, outputSpecOf, withSchemaInstruction } from './structured-run.js';

interface Sources {
  config: Config;
  env: NodeJS.ProcessEnv;
}

interface CallOptions {
  flags?: RunFlags;
  links?: CallLinks;
}

/** Local media are read from inside the project's root only. */
function mediaReader(scope: PromptScope) {
  return createMediaReader({
    root: scope.project?.rootPath ?? null,
    maxBytes: DEFAULT_MEDIA_BYTES,
  });
}

/** The settings resolved once; the function renders a call per set of variables. */
export async function messagesPreparer(
  sources: Sources,
  scope: PromptScope,
  render: MessagesRenderer,
  version: Pick<PromptVersionRecord, 'model' | 'parameters' | 'metadata' | 'variables'> & {
    id: number | null;
  },
  options: CallOptions,
): Promise<Preparer> {
  const output = (await outputSpecOf(version.metadata)) ?? undefined;
  const settings = resolveSettings({
    flags: options.flags ?? {},
    prompt: { model: version.model, parameters: version.parameters, output },
    project: scope.project,
    config: sources.config,
    env: sources.env,
  });
  const media = mediaReader(scope);
  const prepare = (variables: Record<string, unknown>, extras?: RenderExtras): PreparedCall => {
    const { system, messages, variables: values } = render(variables, extras);
    let sent = toChatMessages(messages, media);
    if (output?.schema && settings.parameters.responseFormat === 'json') {
      sent = withSchemaInstruction(sent, output.schema);
    }
    return {
      scope,
      promptVersionId: version.id,
      rendered: { system, messages: sent, variables: values },
      settings,
      links: options.links,
      ...(output ? { output } : {}),
    };
  };
  return Object.assign(prepare, { variables: version.variables, settings });
}

/** A call of text rendered elsewhere (a workflow's inline template, a phase template). */
export function textCall(
  sources: Sources,
  scope: PromptScope,
  text: { system: string | null; user: string; variables: Record<string, unknown> },
  prompt: { model: string | null; parameters: PromptParameters; output?: OutputSpec },
  options: CallOptions,
): PreparedCall {
  let messages: PreparedCall['rendered']['messages'] = [];
  if (text.system !== null) messages.push({ role: 'system', content: text.system });
  messages.push({ role: 'user', content: text.user });
  if (hasMarkers(text.user) || (text.system !== null && hasMarkers(text.system))) {
    // A template that used `role`, `media`… renders to several messages or parts.
    const system = text.system === null ? '' : `${markers.role('system')}${text.system}`;
    const marked = `${system}${text.system === null ? '' : markers.role('user')}${text.user}`;
    messages = toChatMessages(toMessages(marked), mediaReader(scope));
  }
  const settings = resolveSettings({
    flags: options.flags ?? {},
    prompt,
    project: scope.project,
    config: sources.config,
    env: sources.env,
  });
  const { output } = prompt;
  if (output?.schema && settings.parameters.responseFormat === 'json') {
    messages = withSchemaInstruction(messages, output.schema);
  }
  return {
    scope,
    promptVersionId: null,
    rendered: { system: text.system, messages, variables: text.variables },
    settings,
    links: options.links,
    ...(output ? { output } : {}),
  };
}
