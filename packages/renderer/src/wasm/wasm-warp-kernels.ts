import { type WarpSpanVariant, writeWarpSpanModule } from './warp-span-module.ts';
import { type CompiledModule, compileModule, webAssembly } from '@portrait-farm/wasm-writer';

/**
 * The WebAssembly span kernels of one renderer, with their memory: the portrait one pixel per word from byte 0, the
 * RGB frame after it. The renderer draws the whole frame into `frame` (a view over that memory, which never grows,
 * so the views stay valid) and copies it out.
 */
export interface WasmWarpKernels {
  /** The portrait, one pixel per word (r | g << 8 | b << 16), to be filled by the caller. */
  pixels: Uint32Array;
  /** The frame, RGB, width * height * 3 bytes. */
  frame: Uint8Array;
  /** Byte offset of `frame` in the memory: spans address the frame as `frameBase` + their offset. */
  frameBase: number;
  /** One span; `offset` in the memory (`frameBase` + the frame's). */
  opaqueSpan(width: number, offset: number, count: number, su: number, sv: number, dux: number, dvx: number): void;
  blendedSpan(width: number, offset: number, count: number, su: number, sv: number, dux: number, dvx: number, a: number, dax: number): void;
  /** Every span of one triangle: rows yStart..yEnd (yStart <= yEnd), each edge's upper x, top, bottom and slope. */
  opaqueTriangle: TriangleKernel;
  blendedTriangle: TriangleKernel;
}

export type TriangleKernel = (
  width: number, frameBase: number, yStart: number, yEnd: number,
  e0x: number, e0top: number, e0bottom: number, e0slope: number,
  e1x: number, e1top: number, e1bottom: number, e1slope: number,
  e2x: number, e2top: number, e2bottom: number, e2slope: number,
  x0: number, y0: number, u0: number, v0: number, a0: number,
  dux: number, duy: number, dvx: number, dvy: number, dax: number, day: number,
) => void;

const PAGE = 65536;
/** Room after the frame for the kernels' reads and writes past a span's last pixel. */
const FRAME_TAIL = 16;

const compiled = new Map<WarpSpanVariant, CompiledModule | null>();

/** The compiled module of `variant`, or null where this runtime cannot compile it (no WebAssembly or no SIMD). */
export function warpSpanModule(variant: WarpSpanVariant): CompiledModule | null {
  if (!compiled.has(variant)) {
    compiled.set(variant, compileModule(writeWarpSpanModule(variant)));
  }
  return compiled.get(variant)!;
}

/** Kernels and memory for a width x height portrait; null where the runtime cannot run `variant`. */
export function createWasmWarpKernels(width: number, height: number, variant: WarpSpanVariant): WasmWarpKernels | null {
  const module = warpSpanModule(variant);
  if (module === null || webAssembly === null) return null;
  const pixelBytes = width * height * 4;
  const frameBytes = width * height * 3;
  const memory = new webAssembly.Memory({ initial: Math.ceil((pixelBytes + frameBytes + FRAME_TAIL) / PAGE) });
  const instance = new webAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as {
    opaque_span: WasmWarpKernels['opaqueSpan'];
    blended_span: WasmWarpKernels['blendedSpan'];
    opaque_triangle: TriangleKernel;
    blended_triangle: TriangleKernel;
  };
  return {
    pixels: new Uint32Array(memory.buffer, 0, width * height),
    frame: new Uint8Array(memory.buffer, pixelBytes, frameBytes),
    frameBase: pixelBytes,
    opaqueSpan: exports.opaque_span,
    blendedSpan: exports.blended_span,
    opaqueTriangle: exports.opaque_triangle,
    blendedTriangle: exports.blended_triangle,
  };
}
