import { describe, expect, it } from 'vitest';
import { blendedSpan, opaqueSpan, type Span } from '../raster/warp-spans.ts';
import type { WarpSpanVariant } from './warp-span-module.ts';
import { createWasmWarpKernels } from './wasm-warp-kernels.ts';

const WIDTH = 23;
const HEIGHT = 17;

/** Deterministic pseudo-random numbers in [0, 1) (a 32-bit LCG). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Whether every sample position of the span keeps its bilinear footprint inside the image (as warpTriangles' safe spans do). */
function inside(span: Span): boolean {
  let { su, sv } = span;
  for (let n = 0; n < span.count; n++, su += span.dux, sv += span.dvx) {
    if (su < 0 || sv < 0 || su >= WIDTH - 1 || sv >= HEIGHT - 1) return false;
  }
  return true;
}

/** Spans of every kind: fractional and whole-pixel positions, opacity through 0 and 1, one ending on the frame's last byte. */
function spans(next: () => number): Span[] {
  const list: Span[] = [];
  while (list.length < 600) {
    const y = Math.floor(next() * HEIGHT);
    const x = Math.floor(next() * WIDTH);
    const whole = next() < 0.2;
    const span: Span = {
      offset: (y * WIDTH + x) * 3,
      count: 1 + Math.floor(next() * (WIDTH - x)),
      su: whole ? Math.floor(next() * (WIDTH - 1)) : next() * (WIDTH - 1),
      sv: whole ? Math.floor(next() * (HEIGHT - 1)) : next() * (HEIGHT - 1),
      dux: whole ? 1 : (next() - 0.5) * 2.2,
      dvx: whole ? 0 : (next() - 0.5) * 0.8,
      a: next() * 1.8 - 0.4,
      dax: (next() - 0.5) * 0.3,
    };
    if (inside(span)) list.push(span);
  }
  const last = { offset: (WIDTH * HEIGHT - 5) * 3, count: 5, su: 2.25, sv: 3.5, dux: 0.75, dvx: 0.125, a: 0.3, dax: 0.2 };
  list.push(last, { ...last, a: 1 });
  return list;
}

describe.each<WarpSpanVariant>(['scalar', 'simd'])('the %s WebAssembly span kernels', (variant) => {
  it('write the same bytes as the JavaScript kernels, span after span over one frame', () => {
    const next = random(variant === 'simd' ? 17 : 29);
    const kernels = createWasmWarpKernels(WIDTH, HEIGHT, variant);
    expect(kernels).not.toBeNull();
    const { pixels, frame, frameBase, opaqueSpan: wasmOpaque, blendedSpan: wasmBlended } = kernels!;
    for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(next() * 2 ** 24);
    const expected = new Uint8Array(WIDTH * HEIGHT * 3);
    for (let i = 0; i < expected.length; i++) expected[i] = Math.floor(next() * 256);
    frame.set(expected);
    spans(next).forEach((span, i) => {
      const { offset, count, su, sv, dux, dvx, a, dax } = span;
      if (i % 2 === 0) {
        opaqueSpan(pixels, WIDTH, expected, span);
        wasmOpaque(WIDTH, frameBase + offset, count, su, sv, dux, dvx);
      } else {
        blendedSpan(pixels, WIDTH, expected, span);
        wasmBlended(WIDTH, frameBase + offset, count, su, sv, dux, dvx, a, dax);
      }
      if (i % 50 === 0) expect(Buffer.compare(frame, expected)).toBe(0);
    });
    expect(Buffer.compare(frame, expected)).toBe(0);
  });

  it('leave the frame alone for an empty span, and the byte after a span as it was', () => {
    const kernels = createWasmWarpKernels(WIDTH, HEIGHT, variant)!;
    kernels.pixels.fill(0x102030);
    kernels.frame.fill(7);
    kernels.opaqueSpan(WIDTH, kernels.frameBase + 30, 0, 1.5, 1.5, 1, 0);
    kernels.blendedSpan(WIDTH, kernels.frameBase + 30, 0, 1.5, 1.5, 1, 0, 0.5, 0);
    expect(kernels.frame.every((byte) => byte === 7)).toBe(true);
    kernels.opaqueSpan(WIDTH, kernels.frameBase + 30, 2, 1.5, 1.5, 1, 0);
    expect([...kernels.frame.subarray(27, 39)]).toEqual([7, 7, 7, 0x30, 0x20, 0x10, 0x30, 0x20, 0x10, 7, 7, 7]);
  });
});
