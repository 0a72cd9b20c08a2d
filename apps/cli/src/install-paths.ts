import { fileURLToPath } from 'node:url';

// Where this install keeps what the command ships beside it (the same from src/ and from the compiled dist/).

/** The starter model pack, the default of --pack. */
export const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
/** The demo's portrait and speech. */
export const DEMO_IMAGE = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));
export const DEMO_AUDIO = fileURLToPath(new URL('../../../test/fixtures/demo-speech-20s.ogg', import.meta.url));
