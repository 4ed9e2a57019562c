// zod/mini, with its English messages switched on (mini loads no locale by default). Only
// the functions the project uses are re-exported, by name: schemas receive this namespace
// as a value, and a bundler keeps whatever a namespace object could reach. Add a name here
// when a schema needs it.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export type { output, ZodMiniType } from 'zod/mini';
export {
  array,
  boolean,
  coerce,
  enum,
  gt,
  int,
  looseObject,
  lt,
  maximum,
  maxLength,
  minimum,
  minLength,
  number,
  object,
  optional,
  positive,
  record,
  regex,
  string,
  stringbool,
  superRefine,
  toJSONSchema,
  trim,
  union,
  unknown,
  url,
} from 'zod/mini';
