// Which model, endpoint, key and parameters a call uses. Precedence (the README's
// configuration part): flag > prompt or step > project > config > environment > built-in
// default.
import { createHash } from 'node:crypto';
import { CONFIG_DEFAULTS, CONFIG_KEYS, type Config } from '../core/config.js';
import { ValidationError } from '../core/errors.js';
import { hostOf } from '../core/model-client/host.js';
import type { ModelPrice } from '../core/model-client/pricing.js';
import type {
  CallParameters,
  ChatMessage,
  ModelClientSettings,
} from '../core/model-client/types.js';
import type { ProjectRecord } from '../db/repositories/project-repository.js';
import type { PromptParameters } from '../db/repositories/prompt-repository.js';
import { type OutputSpec, responseFormatOf } from './structured-run.js';

export const DEFAULT_MODEL = CONFIG_DEFAULTS.model;
export const DEFAULT_BASE_URL = CONFIG_DEFAULTS.baseUrl;
export const DEFAULT_TIMEOUT_S = CONFIG_DEFAULTS.timeout;
export const DEFAULT_IDLE_TIMEOUT_S = 60;
export const DEFAULT_MAX_RETRIES = CONFIG_DEFAULTS.maxRetries;
const MAX_RETRY_DELAY_MS = 30_000;
const BASE_RETRY_DELAY_MS = 500;

export interface RunFlags {
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Seconds. */
  timeout?: number;
  maxRetries?: number;
  noCache?: boolean;
  json?: boolean;
}

export interface ResolvedSettings {
  model: string;
  parameters: CallParameters;
  baseURL: string;
  baseUrlHost: string;
  keyName: string;
  /** Undefined when the environment has no key for a remote endpoint. */
  apiKey: string | undefined;
  client: Omit<ModelClientSettings, 'apiKey' | 'baseURL'>;
  /** Look for a cached answer first. */
  cacheRead: boolean;
  /** Keep successful answers for reuse. */
  cacheWrite: boolean;
  pricing: Record<string, ModelPrice>;
}

export interface SettingsSources {
  flags: RunFlags;
  prompt: { model: string | null; parameters: PromptParameters; output?: OutputSpec };
  project: ProjectRecord | null;
  config: Config;
  env: NodeJS.ProcessEnv;
}

const LOCAL_HOSTS = /^(localhost|127(?:\.\d+){3}|\[::1\]|0\.0\.0\.0)$/;

/** An endpoint and the key that goes to it: the variable `keyName` names, and only there. */
export function endpointSettings(
  baseURL: string,
  keyName: string,
  env: NodeJS.ProcessEnv,
): Pick<ResolvedSettings, 'baseURL' | 'baseUrlHost' | 'keyName' | 'apiKey'> {
  const baseUrlHost = hostOf(baseURL);
  const hostname = baseUrlHost.replace(/:\d+$/, '');
  // A local server needs no real key, but the client insists on one.
  const apiKey = env[keyName] || (LOCAL_HOSTS.test(hostname) ? 'no-key-needed' : undefined);
  return { baseURL, baseUrlHost, keyName, apiKey };
}

export function resolveSettings({
  flags,
  prompt,
  project,
  config,
  env,
}: SettingsSources): ResolvedSettings {
  const model =
    flags.model ||
    prompt.model ||
    project?.defaultModel ||
    config.model ||
    env.PROMPT_RUNNER_MODEL ||
    DEFAULT_MODEL;
  const parameters: CallParameters = { ...prompt.parameters };
  const temperature = flags.temperature ?? prompt.parameters.temperature ?? config.temperature;
  if (temperature !== undefined) parameters.temperature = temperature;
  const maxTokens = flags.maxTokens ?? prompt.parameters.maxTokens ?? config.maxTokens;
  if (maxTokens !== undefined) parameters.maxTokens = maxTokens;
  if (flags.json) parameters.responseFormat = 'json';

  const { baseURL, baseUrlHost, keyName, apiKey } = endpointSettings(
    config.baseUrl || envBaseUrl(env) || DEFAULT_BASE_URL,
    config.apiKeyEnv ?? CONFIG_DEFAULTS.apiKeyEnv,
    env,
  );
  if (prompt.output) {
    // A server that refuses `json_schema` is named in config, by model or by endpoint.
    const modes = config.structuredOutput ?? {};
    const mode = modes[model] ?? modes[baseUrlHost] ?? 'json_schema';
    parameters.responseFormat = responseFormatOf(prompt.output, mode);
  }
  const timeoutS = flags.timeout ?? config.timeout ?? DEFAULT_TIMEOUT_S;
  const cacheEnabled = config.cache ?? CONFIG_DEFAULTS.cache;
  return {
    model,
    parameters,
    baseURL,
    baseUrlHost,
    keyName,
    apiKey,
    client: {
      timeoutMs: timeoutS * 1000,
      idleTimeoutMs: Math.min(DEFAULT_IDLE_TIMEOUT_S, timeoutS) * 1000,
      maxRetries: flags.maxRetries ?? config.maxRetries ?? DEFAULT_MAX_RETRIES,
      maxRetryDelayMs: MAX_RETRY_DELAY_MS,
      baseRetryDelayMs: BASE_RETRY_DELAY_MS,
    },
    cacheRead: cacheEnabled && !flags.noCache,
    cacheWrite: cacheEnabled,
    pricing: config.pricing ?? {},
  };
}

/** OPENAI_BASE_URL, held to the rule `config set baseUrl` applies. */
function envBaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.OPENAI_BASE_URL;
  if (!value) return undefined;
  if (CONFIG_KEYS.baseUrl.schema.safeParse(value).success) return value;
  throw new ValidationError(
    `Invalid OPENAI_BASE_URL: ${JSON.stringify(value)} (not an http or https URL)`,
    { hint: 'include the scheme, e.g. OPENAI_BASE_URL=http://localhost:11434/v1' },
  );
}

export function requireApiKey(settings: ResolvedSettings): string {
  if (settings.apiKey) return settings.apiKey;
  throw new ValidationError(`No API key for ${settings.baseUrlHost}: set ${settings.keyName}`, {
    hint: `export ${settings.keyName}=…, or point baseUrl at a local server`,
  });
}

/** The cache key: endpoint, model, messages and every parameter, in a stable order. */
export function cacheKey(settings: ResolvedSettings, messages: ChatMessage[]): string {
  const parameters = Object.fromEntries(
    Object.entries(settings.parameters).sort(([a], [b]) => a.localeCompare(b)),
  );
  const payload = JSON.stringify([settings.baseUrlHost, settings.model, messages, parameters]);
  return createHash('sha256').update(payload).digest('hex');
}
