import type { WasmWarpKernels } from '../wasm/wasm-warp-kernels.ts';
import { createTriangleSetup, gradientX, gradientY, rowSpan, setUpTriangle } from './triangle-setup.ts';
import { blendedSpan, clampedSpan, opaqueSpan, type Span } from './warp-spans.ts';

/** Source image and destination buffer of one warp, RGB bytes. */
export interface WarpTarget {
  width: number;
  height: number;
  source: Uint8Array;
  /** `source` one pixel per word (`packPixels`). */
  pixels: Uint32Array;
  out: Uint8Array;
  /**
   * WebAssembly span kernels, or null for the JavaScript ones: then `pixels` and `out` must be `kernels.pixels` and
   * `kernels.frame`, the kernels' memory.
   */
  kernels: WasmWarpKernels | null;
}

const span: Span = { offset: 0, count: 0, su: 0, sv: 0, dux: 0, dvx: 0, a: 1, dax: 0 };

const triangle = createTriangleSetup();

/**
 * Piecewise-affine backward warp: each destination triangle (vertex positions `dst`) is rasterised (pixel centres,
 * top-left-consistent spans so shared edges neither gap nor overlap) and filled by bilinear samples of the source at
 * the inverse-affine position given by the rest positions `src`. Triangles [0, alphaTriangles) are blended over the
 * existing output with per-vertex opacity `alpha`; the rest are opaque.
 */
export function warpTriangles(
  target: WarpTarget,
  src: Float32Array,
  dst: Float32Array,
  triangles: Uint16Array,
  first: number,
  end: number,
  alpha: Float32Array | null,
): void {
  const { width, height, source, pixels, out, kernels } = target;
  const frameBase = kernels === null ? 0 : kernels.frameBase;
  const maxX = width - 1;
  const maxY = height - 1;
  const { edgeX, edgeTop, edgeBottom, edgeSlope } = triangle;
  for (let t = first; t < end; t++) {
    if (!setUpTriangle(triangle, src, dst, triangles, t, maxY)) continue;
    const { x0, y0, u0, v0, u1, v1, u2, v2, dux, duy, dvx, dvy, yStart, yEnd } = triangle;
    span.dux = dux;
    span.dvx = dvx;
    let dax = 0, day = 0, a0 = 1;
    const blend = alpha !== null;
    if (blend) {
      a0 = alpha[triangle.i0]!;
      const a1 = alpha[triangle.i1]!, a2 = alpha[triangle.i2]!;
      dax = gradientX(triangle, a0, a1, a2);
      day = gradientY(triangle, a0, a1, a2);
    }
    span.dax = dax;
    // Opacity 1 at every vertex is opacity exactly 1 at every pixel, where blending gives the sample itself.
    const opaque = !blend || (a0 === 1 && alpha[triangle.i1] === 1 && alpha[triangle.i2] === 1);
    // Source footprint strictly inside the image (one pixel of margin for the bilinear neighbour)?
    const safe = Math.min(u0, u1, u2) >= 1.5 && Math.min(v0, v1, v2) >= 1.5 && Math.max(u0, u1, u2) <= maxX - 0.5 && Math.max(v0, v1, v2) <= maxY - 0.5;
    if (safe && kernels !== null) {
      if (!(yStart <= yEnd)) continue;
      const ex0 = edgeX[0]!, et0 = edgeTop[0]!, eb0 = edgeBottom[0]!, es0 = edgeSlope[0]!;
      const ex1 = edgeX[1]!, et1 = edgeTop[1]!, eb1 = edgeBottom[1]!, es1 = edgeSlope[1]!;
      const ex2 = edgeX[2]!, et2 = edgeTop[2]!, eb2 = edgeBottom[2]!, es2 = edgeSlope[2]!;
      if (opaque) kernels.opaqueTriangle(width, frameBase, yStart, yEnd, ex0, et0, eb0, es0, ex1, et1, eb1, es1, ex2, et2, eb2, es2, x0, y0, u0, v0, a0, dux, duy, dvx, dvy, dax, day);
      else kernels.blendedTriangle(width, frameBase, yStart, yEnd, ex0, et0, eb0, es0, ex1, et1, eb1, es1, ex2, et2, eb2, es2, x0, y0, u0, v0, a0, dux, duy, dvx, dvy, dax, day);
      continue;
    }
    for (let y = yStart; y <= yEnd; y++) {
      if (!rowSpan(triangle, y, maxX)) continue;
      const xs = triangle.spanStart;
      const fx = xs + 0.5 - x0;
      const fy = y + 0.5 - y0;
      span.offset = (y * width + xs) * 3;
      span.count = triangle.spanEnd - xs + 1;
      span.su = u0 + dux * fx + duy * fy - 0.5;
      span.sv = v0 + dvx * fx + dvy * fy - 0.5;
      span.a = a0 + dax * fx + day * fy;
      if (!safe) clampedSpan(source, width, height, out, span, blend);
      else if (opaque) opaqueSpan(pixels, width, out, span);
      else blendedSpan(pixels, width, out, span);
    }
  }
}
