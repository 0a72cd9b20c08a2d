// Import first (node --import @portrait-farm/source-loader/register, or `await import(...)` before the sources) to
// run TypeScript sources as development does. Worker threads do not inherit these hooks: their entry imports this
// module again. Production runs the compiled dist/ and never loads it.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./source-condition.mjs', import.meta.url);
