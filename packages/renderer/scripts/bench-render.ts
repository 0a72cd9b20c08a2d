/**
 * Render-stage benchmark: frames per second of the meshwarp renderer at 512x512 over 200 frames of talking-like
 * motion (jaw, lips, smile, blinks, gaze, head motion), median of 3 runs: one thread, then two worker threads that
 * rebuild the renderer from posted `prepareMeshwarp` data (a warm-up run first).
 * Run: npx tsx packages/renderer/scripts/bench-render.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import sharp from 'sharp';
import { Worker } from 'node:worker_threads';
import { canonicalLandmarks, createMeshwarpRendererFromPrepared, prepareMeshwarp } from '../src/index.ts';

const SIZE = 512;
const FRAMES = 200;
const RUNS = 3;

const fixture = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));
const { data } = await sharp(readFileSync(fixture)).removeAlpha().resize(SIZE, SIZE).raw().toBuffer({ resolveWithObject: true });
// Canonical landmarks sized like a face crop (face about 60% of the frame); the pixels are a real photograph.
const landmarks = canonicalLandmarks(SIZE / 2, SIZE * 0.52, 19);
const prepared = prepareMeshwarp({ image: { width: SIZE, height: SIZE, data: new Uint8Array(data) }, landmarks });
const renderer = createMeshwarpRendererFromPrepared(prepared);

const motions: Float32Array[] = [];
for (let f = 0; f < FRAMES; f++) {
  const m = Float32Array.from(renderer.neutral);
  const t = f / 25;
  m[CHANNEL.jaw_open] = Math.max(0, 0.45 * Math.sin(t * 9.1) + 0.15 * Math.sin(t * 3.3));
  m[CHANNEL.lips_part] = Math.max(0, 0.3 * Math.sin(t * 7.7 + 1));
  m[CHANNEL.mouth_round] = Math.max(0, 0.4 * Math.sin(t * 2.9));
  m[CHANNEL.smile] = 0.3 * Math.sin(t * 0.7);
  m[CHANNEL.blink_l] = m[CHANNEL.blink_r] = f % 60 < 5 ? 1 : 0;
  m[CHANNEL.brow_raise] = 0.3 * Math.sin(t * 1.3);
  m[CHANNEL.head_yaw] = 6 * Math.sin(t * 0.9);
  m[CHANNEL.head_pitch] = 3 * Math.sin(t * 1.4);
  m[CHANNEL.head_roll] = 2 * Math.sin(t * 0.6);
  m[CHANNEL.gaze_x] = 0.2 * Math.sin(t * 0.5);
  motions.push(m);
}
if (motions[0]!.length !== MOTION_CHANNEL_COUNT) throw new Error('motion size');

const out = new Uint8Array(SIZE * SIZE * 3);
for (let f = 0; f < 20; f++) renderer.renderFrame(motions[f]!, out);
const rates: number[] = [];
const cpuRates: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let f = 0; f < FRAMES; f++) renderer.renderFrame(motions[f]!, out);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  rates.push(FRAMES / seconds);
  cpuRates.push(FRAMES / ((used.user + used.system) / 1e6));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  `meshwarp ${SIZE}x${SIZE}: ${median(rates).toFixed(1)} frames/s wall clock, ${median(cpuRates).toFixed(1)} frames per CPU-second ` +
    `(median of ${RUNS} runs of ${FRAMES} frames, one thread; wall runs: ${rates.map((r) => r.toFixed(1)).join(', ')})`,
);

// Two worker threads, each rebuilt from the posted prepared data, rendering alternate frames.
const WORKERS = 2;
const workers = Array.from({ length: WORKERS }, () => new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { workerData: { script: new URL('./bench-render-worker.ts', import.meta.url).href } }));
await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage({ prepared, motions }); })));
const parallel: number[] = [];
for (let run = -1; run < RUNS; run++) {
  const start = process.hrtime.bigint();
  await Promise.all(workers.map((w, i) => new Promise((resolve) => {
    w.once('message', resolve);
    w.postMessage(Array.from({ length: FRAMES / WORKERS }, (_, k) => k * WORKERS + i));
  })));
  if (run >= 0) parallel.push(FRAMES / (Number(process.hrtime.bigint() - start) / 1e9));
}
await Promise.all(workers.map((w) => w.terminate()));
console.log(`meshwarp ${SIZE}x${SIZE} in ${WORKERS} worker threads: ${median(parallel).toFixed(1)} frames/s wall clock (median of ${RUNS} runs)`);
