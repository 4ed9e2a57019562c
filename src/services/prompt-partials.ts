// Partials: other prompts a template includes with `{{> name}}`, loaded with theirs, by name.
import { NotFoundError, ValidationError } from '../core/errors.js';
import { analyzeTemplate } from '../core/templating/engine.js';
import type { PromptRecord, PromptVersionRecord } from '../db/repositories/prompt-repository.js';

/** Partials the templates include, and theirs, by name; refuses a missing or recursive one. */
export async function collectPartials(
  find: (name: string) => Promise<PromptRecord>,
  rootName: string,
  version: Pick<PromptVersionRecord, 'body' | 'system'>,
): Promise<Record<string, string>> {
  const bodies: Record<string, string> = {};
  const visit = async (sources: string[], chain: string[]) => {
    for (const source of sources) {
      for (const partial of analyzeTemplate(source).partials) {
        if (chain.includes(partial)) {
          throw new ValidationError(`Recursive partial: ${[...chain, partial].join(' → ')}`, {
            hint: 'a prompt cannot include itself, directly or through others',
          });
        }
        if (Object.hasOwn(bodies, partial)) continue;
        const included = await find(partial).catch((error: unknown) => {
          if (error instanceof NotFoundError) {
            const named = /^[A-Za-z0-9][A-Za-z0-9_/-]*$/.test(partial) && !partial.includes('//');
            throw new ValidationError(`Partial "${partial}" not found: no prompt of that name`, {
              hint: named
                ? `create it with \`prompt-runner prompt create ${partial}\``
                : 'a partial is another prompt, named as prompts are (no version or path)',
            });
          }
          throw error;
        });
        bodies[partial] = included.latest.body;
        await visit([included.latest.body], [...chain, partial]);
      }
    }
  };
  await visit(version.system ? [version.body, version.system] : [version.body], [rootName]);
  return bodies;
}
