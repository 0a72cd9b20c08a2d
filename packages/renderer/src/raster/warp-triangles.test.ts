import { describe, expect, it } from 'vitest';
import { createWasmWarpKernels } from '../wasm/wasm-warp-kernels.ts';
import type { WarpSpanVariant } from '../wasm/warp-span-module.ts';
import { packPixels } from './warp-spans.ts';
import { type WarpTarget, warpTriangles } from './warp-triangles.ts';

const WIDTH = 41;
const HEIGHT = 29;

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Mesh {
  src: Float32Array;
  dst: Float32Array;
  triangles: Uint16Array;
  alpha: Float32Array;
}

/**
 * Random triangles: rest positions mostly inside the image (some reaching its border, for the clamped spans),
 * moved positions reaching past the frame on every side, slivers, and opacity 1 at every vertex of some.
 */
function randomMesh(next: () => number, count: number): Mesh {
  const vertices = count * 3;
  const src = new Float32Array(vertices * 3);
  const dst = new Float32Array(vertices * 3);
  const alpha = new Float32Array(vertices);
  for (let v = 0; v < vertices; v++) {
    const border = next() < 0.1;
    src[v * 3] = border ? next() * WIDTH : 2 + next() * (WIDTH - 4);
    src[v * 3 + 1] = border ? next() * HEIGHT : 2 + next() * (HEIGHT - 4);
    dst[v * 3] = src[v * 3]! + (next() - 0.5) * 12;
    dst[v * 3 + 1] = src[v * 3 + 1]! + (next() - 0.5) * 12;
    alpha[v] = next() < 0.3 ? 1 : next() * 1.4 - 0.2;
  }
  for (let t = 0; t < count; t += 7) {
    // A sliver: the third vertex almost on the line through the first two.
    const [a, b, c] = [t * 3, t * 3 + 1, t * 3 + 2];
    dst[c * 3] = (dst[a * 3]! + dst[b * 3]!) / 2 + 1e-4;
    dst[c * 3 + 1] = (dst[a * 3 + 1]! + dst[b * 3 + 1]!) / 2;
  }
  for (let t = 3; t < count; t += 5) alpha.fill(1, t * 3, t * 3 + 3);
  const triangles = Uint16Array.from({ length: vertices }, (_, i) => i);
  return { src, dst, triangles, alpha };
}

describe.each<WarpSpanVariant>(['scalar', 'simd'])('warpTriangles with the %s WebAssembly kernels', (variant) => {
  it('draws the same bytes as with the JavaScript kernels: blended, opaque, clamped, past the frame, slivers', () => {
    const next = random(variant === 'simd' ? 5 : 11);
    const source = Uint8Array.from({ length: WIDTH * HEIGHT * 3 }, () => Math.floor(next() * 256));
    const kernels = createWasmWarpKernels(WIDTH, HEIGHT, variant)!;
    kernels.pixels.set(packPixels(source));
    const background = Uint8Array.from({ length: WIDTH * HEIGHT * 3 }, () => Math.floor(next() * 256));
    const reference: WarpTarget = { width: WIDTH, height: HEIGHT, source, pixels: packPixels(source), out: background.slice(), kernels: null };
    const wasm: WarpTarget = { width: WIDTH, height: HEIGHT, source, pixels: kernels.pixels, out: kernels.frame, kernels };
    kernels.frame.set(background);
    for (let round = 0; round < 4; round++) {
      const mesh = randomMesh(next, 60);
      const blendedEnd = 30;
      for (const target of [reference, wasm]) {
        warpTriangles(target, mesh.src, mesh.dst, mesh.triangles, 0, blendedEnd, mesh.alpha);
        warpTriangles(target, mesh.src, mesh.dst, mesh.triangles, blendedEnd, 60, null);
      }
      expect(Buffer.compare(kernels.frame, reference.out), `round ${round}`).toBe(0);
    }
    expect(Buffer.compare(kernels.frame, background)).not.toBe(0);
  });
});
