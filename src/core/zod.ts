// zod/mini, with its English messages switched on (mini loads no locale by default).
// Import it as a namespace (`import * as z`) so the bundler keeps only the parts in use:
// classic zod costs ~30 ms of start-up, this a few.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
