// RGB24 -> yuv420p per 512x512 frame: rgbToYuv420 (JavaScript) against the WebAssembly SIMD kernel, taking turns
// round by round in one process on the same frames (a portrait moved a pixel per frame), medians of the rounds.
// `npm run bench:yuv420`
import { performance } from 'node:perf_hooks';
import { createYuv420Converter, rgbToYuv420, yuv420FrameBytes } from '@portrait-farm/media';

const SIZE = 512;
const FRAMES = 50;
const ROUNDS = 9;

function frames(): Uint8Array[] {
  return Array.from({ length: FRAMES }, (_, n) => {
    const rgb = new Uint8Array(SIZE * SIZE * 3);
    for (let y = 0; y < SIZE; y += 1) {
      for (let x = 0; x < SIZE; x += 1) {
        const at = (y * SIZE + x) * 3;
        rgb[at] = (x + n) & 255;
        rgb[at + 1] = (y * 3 + n) & 255;
        rgb[at + 2] = ((x ^ y) + n) & 255;
      }
    }
    return rgb;
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const input = frames();
const out = new Uint8Array(yuv420FrameBytes(SIZE, SIZE));
const simd = createYuv420Converter(SIZE, SIZE);
if (!simd.simd) throw new Error('This runtime does not compile the WebAssembly SIMD kernel.');
const candidates = {
  'rgbToYuv420 (JavaScript)': (rgb: Uint8Array) => rgbToYuv420(rgb, SIZE, SIZE, out),
  'WebAssembly SIMD': (rgb: Uint8Array) => simd.convert(rgb, out),
};
const times = new Map<string, number[]>(Object.keys(candidates).map((name) => [name, []]));
for (let round = 0; round <= ROUNDS; round += 1) {
  for (const [name, convert] of Object.entries(candidates)) {
    const start = performance.now();
    for (const rgb of input) convert(rgb);
    // Round 0 warms the JIT up and is not counted.
    if (round > 0) times.get(name)!.push((performance.now() - start) / FRAMES);
  }
}
for (const [name, ms] of times) console.log(`${name}: ${median(ms).toFixed(3)} ms a frame (median of ${ROUNDS} rounds of ${FRAMES}; min ${Math.min(...ms).toFixed(3)}, max ${Math.max(...ms).toFixed(3)})`);
