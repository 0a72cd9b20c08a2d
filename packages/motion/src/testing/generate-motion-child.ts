/**
 * Generates motion in a fresh process, for the determinism test:
 * node --conditions=portrait-farm-source --import tsx generate-motion-child.ts '{"packDir", "featuresPath", "frameCount", "seed", "outPath"}'
 * Features are raw little-endian float32 rows of 224; the motion is written the same way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadModelPack } from '@portrait-farm/model-pack';
import { createMotionGenerator } from '../motion-generator.ts';

interface ChildRequest {
  packDir: string;
  featuresPath: string;
  frameCount: number;
  seed: number;
  outPath: string;
}

const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
const bytes = readFileSync(request.featuresPath);
const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const pack = await loadModelPack(request.packDir, { verifySignature: false });
const generator = await createMotionGenerator(pack, null, { seed: request.seed });
const track = await generator.generateAll({ frameCount: request.frameCount, dim: 224, data });
await generator.close();
writeFileSync(request.outPath, Buffer.from(track.data.buffer, track.data.byteOffset, track.data.byteLength));
