import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { FACE_MODEL_FILES } from '@portrait-farm/face';
import { FACE_MODELS_DIR as FACE_MODELS } from './repo-models.ts';
import { writeTestPack, type TestPack, type TestPackOptions } from './test-pack.ts';

/**
 * A complete pack for engine tests: the tiny test denoiser of {@link writeTestPack}, the real audio
 * front-end, and the repository's real face models, all listed with hashes.
 */
export function writeEngineTestPack(dir: string, options: TestPackOptions = {}): TestPack {
  return writeTestPack(dir, {
    ...options,
    editManifest: (manifest) => {
      const face: Record<string, string> = {};
      const files = manifest['files'] as Record<string, unknown>;
      for (const [role, file] of Object.entries(FACE_MODEL_FILES)) {
        const path = relative(dir, `${FACE_MODELS}${file}`);
        const bytes = readFileSync(`${FACE_MODELS}${file}`);
        face[role] = path;
        files[path] = {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          bytes: bytes.length,
          license: 'Apache-2.0',
          source: 'models/face (MediaPipe, converted to ONNX)',
        };
      }
      manifest['face'] = face;
      options.editManifest?.(manifest);
    },
  });
}
