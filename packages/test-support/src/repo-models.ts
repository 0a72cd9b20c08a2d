import { fileURLToPath } from 'node:url';

/** Where this repository keeps its models: tests, benchmarks and fixtures name them; libraries take them as options. */
export const STARTER_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));
export const FACE_MODELS_DIR = fileURLToPath(new URL('../../../models/face/', import.meta.url));
