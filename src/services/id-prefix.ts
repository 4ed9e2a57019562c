// Records named by their id or a unique prefix of it, as commands take them (`eval show 3f2a`).
import { NotFoundError, ValidationError } from '../core/errors.js';

/** The one record whose id starts with `prefix` (at least 4 characters). */
export async function byIdPrefix<T extends { id: string }>(
  prefix: string,
  what: { name: string; list: string },
  find: (prefix: string) => Promise<T[]>,
): Promise<T> {
  const id = prefix.trim().toLowerCase();
  if (id.length < 4) throw new ValidationError(`Give at least 4 characters of the ${what.name} id`);
  const found = await find(id);
  if (found.length === 0) {
    throw new NotFoundError(`No ${what.name} with id ${prefix}`, { hint: `see \`${what.list}\`` });
  }
  if (found.length > 1) {
    const name = what.name.charAt(0).toUpperCase() + what.name.slice(1);
    throw new ValidationError(`${name} id ${prefix} is ambiguous`, {
      hint: found.map((record) => record.id.slice(0, 12)).join(', '),
    });
  }
  return found[0] as T;
}
