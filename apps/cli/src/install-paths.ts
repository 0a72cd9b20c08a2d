import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Where this install keeps what the command ships beside it (the same from src/ and from the compiled dist/).

/** The root of this install: the repository checkout, or /app in the image. */
export const INSTALL_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The starter model pack, the default of --pack. */
export const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
/** The demo's portrait and speech. */
export const DEMO_IMAGE = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));
export const DEMO_AUDIO = fileURLToPath(new URL('../../../test/fixtures/demo-speech-20s.ogg', import.meta.url));
/** The local farm's data folder when `--data-dir` is not given. */
export const LOCAL_FARM_DATA_DIR = join(INSTALL_ROOT, '.cache', 'farm');

/** The farm's processes, each an app of this install. */
export type FarmApp = 'gateway' | 'worker' | 'stitcher';

/**
 * Whether this command runs from its TypeScript sources (a checkout in development: `src/*.ts` through tsx) or from
 * the compiled `dist/*.js`: the farm's processes it starts run the same way.
 */
export const RUNS_FROM_SOURCES = fileURLToPath(import.meta.url).endsWith('.ts');

/**
 * How node starts app `name` of this install, run with `cwd` {@link INSTALL_ROOT}: from sources
 * `--conditions=portrait-farm-source --import tsx apps/<name>/src/main.ts`, compiled `apps/<name>/dist/main.js`.
 */
export function appNodeArgs(name: FarmApp, fromSources = RUNS_FROM_SOURCES): string[] {
  return fromSources
    ? ['--conditions=portrait-farm-source', '--import', 'tsx', join(INSTALL_ROOT, 'apps', name, 'src', 'main.ts')]
    : [join(INSTALL_ROOT, 'apps', name, 'dist', 'main.js')];
}
