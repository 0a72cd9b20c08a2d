/**
 * Times the denoising of one window (median over 8 windows with the context relay, cpu):
 *   npx tsx --conditions=portrait-farm-source packages/motion/scripts/bench-motion.ts [packDir] [steps] [solver]
 * Without packDir it writes the test pack (test denoiser) into a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelPack } from '@portrait-farm/model-pack';
import { writeTestPack } from '@portrait-farm/test-support/test-pack';
import { createMotionGenerator, type Solver } from '../src/index.ts';

const temp = process.argv[2] ? null : mkdtempSync(join(tmpdir(), 'pf-bench-'));
const packDir = process.argv[2] ?? writeTestPack(temp!).dir;
const steps = Number(process.argv[3] ?? 12);
const solver = (process.argv[4] ?? 'dpmpp-2m') as Solver;
const pack = await loadModelPack(packDir, { ignoreFace: true });
const frames = pack.denoiser.window * 9;
const features = { frameCount: frames, dim: 224, data: Float32Array.from({ length: frames * 224 }, (_, i) => 6 + 3 * Math.sin(i * 0.013)) };
const generator = await createMotionGenerator(pack, null, { steps, solver, seed: 1 });
let tail = (await generator.generateWindow(0, features, null)).tail;
const times: number[] = [];
for (let i = 1; i <= 8; i++) {
  const started = performance.now();
  tail = (await generator.generateWindow(i, features, tail)).tail;
  times.push(performance.now() - started);
}
await generator.close();
if (temp !== null) rmSync(temp, { recursive: true, force: true });
times.sort((a, b) => a - b);
console.log(`motion: ${pack.name} pack, ${steps} steps ${solver}, B=2 per call: ${((times[3]! + times[4]!) / 2).toFixed(1)} ms per window of ${pack.denoiser.window} frames (median of 8; min ${times[0]!.toFixed(1)} ms)`);
