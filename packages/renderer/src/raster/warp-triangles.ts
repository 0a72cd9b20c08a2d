import type { WasmWarpKernels } from '../wasm/wasm-warp-kernels.ts';
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

const edgeX = new Float64Array(3);
const edgeTop = new Float64Array(3);
const edgeBottom = new Float64Array(3);
const edgeSlope = new Float64Array(3);
let edgeSlot = 0;

/** Stores one edge, upper endpoint first, in the next of three slots; returns the slot. */
function edge(xa: number, ya: number, xb: number, yb: number): number {
  const slot = edgeSlot;
  edgeSlot = (edgeSlot + 1) % 3;
  if (ya > yb || (ya === yb && xa > xb)) {
    const tx = xa; xa = xb; xb = tx;
    const ty = ya; ya = yb; yb = ty;
  }
  edgeX[slot] = xa;
  edgeTop[slot] = ya;
  edgeBottom[slot] = yb;
  edgeSlope[slot] = yb > ya ? (xb - xa) / (yb - ya) : 0;
  return slot;
}

const span: Span = { offset: 0, count: 0, su: 0, sv: 0, dux: 0, dvx: 0, a: 1, dax: 0 };

/** Movement (pixels) under which a triangle counts as unchanged and is left as the copied source. */
const STILL_EPSILON = 0.01;

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
  for (let t = first; t < end; t++) {
    const i0 = triangles[t * 3]!;
    const i1 = triangles[t * 3 + 1]!;
    const i2 = triangles[t * 3 + 2]!;
    const x0 = dst[i0 * 3]!, y0 = dst[i0 * 3 + 1]!;
    const x1 = dst[i1 * 3]!, y1 = dst[i1 * 3 + 1]!;
    const x2 = dst[i2 * 3]!, y2 = dst[i2 * 3 + 1]!;
    const u0 = src[i0 * 3]!, v0 = src[i0 * 3 + 1]!;
    const u1 = src[i1 * 3]!, v1 = src[i1 * 3 + 1]!;
    const u2 = src[i2 * 3]!, v2 = src[i2 * 3 + 1]!;
    if (
      Math.abs(x0 - u0) + Math.abs(y0 - v0) < STILL_EPSILON &&
      Math.abs(x1 - u1) + Math.abs(y1 - v1) < STILL_EPSILON &&
      Math.abs(x2 - u2) + Math.abs(y2 - v2) < STILL_EPSILON
    ) continue;
    const ax = x1 - x0, ay = y1 - y0, bx = x2 - x0, by = y2 - y0;
    const det = ax * by - bx * ay;
    if (Math.abs(det) < 1e-9) continue;
    const inv = 1 / det;
    const dux = ((u1 - u0) * by - (u2 - u0) * ay) * inv;
    const duy = ((u2 - u0) * ax - (u1 - u0) * bx) * inv;
    const dvx = ((v1 - v0) * by - (v2 - v0) * ay) * inv;
    const dvy = ((v2 - v0) * ax - (v1 - v0) * bx) * inv;
    span.dux = dux;
    span.dvx = dvx;
    let dax = 0, day = 0, a0 = 1;
    const blend = alpha !== null;
    if (blend) {
      a0 = alpha[i0]!;
      const a1 = alpha[i1]!, a2 = alpha[i2]!;
      dax = ((a1 - a0) * by - (a2 - a0) * ay) * inv;
      day = ((a2 - a0) * ax - (a1 - a0) * bx) * inv;
    }
    span.dax = dax;
    // Opacity 1 at every vertex is opacity exactly 1 at every pixel, where blending gives the sample itself.
    const opaque = !blend || (a0 === 1 && alpha[i1] === 1 && alpha[i2] === 1);
    // Source footprint strictly inside the image (one pixel of margin for the bilinear neighbour)?
    const safe = Math.min(u0, u1, u2) >= 1.5 && Math.min(v0, v1, v2) >= 1.5 && Math.max(u0, u1, u2) <= maxX - 0.5 && Math.max(v0, v1, v2) <= maxY - 0.5;
    const minY = Math.min(y0, y1, y2);
    const maxYt = Math.max(y0, y1, y2);
    const yStart = Math.max(0, Math.ceil(minY - 0.5));
    const yEnd = Math.min(maxY, Math.ceil(maxYt - 0.5) - 1);
    // Edges with their upper endpoint first, so that neighbours sharing an edge compute the same x per row.
    const e0 = edge(x0, y0, x1, y1);
    const e1 = edge(x1, y1, x2, y2);
    const e2 = edge(x2, y2, x0, y0);
    if (safe && kernels !== null) {
      if (!(yStart <= yEnd)) continue;
      const ex0 = edgeX[e0]!, et0 = edgeTop[e0]!, eb0 = edgeBottom[e0]!, es0 = edgeSlope[e0]!;
      const ex1 = edgeX[e1]!, et1 = edgeTop[e1]!, eb1 = edgeBottom[e1]!, es1 = edgeSlope[e1]!;
      const ex2 = edgeX[e2]!, et2 = edgeTop[e2]!, eb2 = edgeBottom[e2]!, es2 = edgeSlope[e2]!;
      if (opaque) kernels.opaqueTriangle(width, frameBase, yStart, yEnd, ex0, et0, eb0, es0, ex1, et1, eb1, es1, ex2, et2, eb2, es2, x0, y0, u0, v0, a0, dux, duy, dvx, dvy, dax, day);
      else kernels.blendedTriangle(width, frameBase, yStart, yEnd, ex0, et0, eb0, es0, ex1, et1, eb1, es1, ex2, et2, eb2, es2, x0, y0, u0, v0, a0, dux, duy, dvx, dvy, dax, day);
      continue;
    }
    for (let y = yStart; y <= yEnd; y++) {
      const yc = y + 0.5;
      let xl = Infinity, xr = -Infinity;
      if (yc >= edgeTop[e0]! && yc < edgeBottom[e0]!) {
        const x = edgeX[e0]! + (yc - edgeTop[e0]!) * edgeSlope[e0]!;
        if (x < xl) xl = x;
        if (x > xr) xr = x;
      }
      if (yc >= edgeTop[e1]! && yc < edgeBottom[e1]!) {
        const x = edgeX[e1]! + (yc - edgeTop[e1]!) * edgeSlope[e1]!;
        if (x < xl) xl = x;
        if (x > xr) xr = x;
      }
      if (yc >= edgeTop[e2]! && yc < edgeBottom[e2]!) {
        const x = edgeX[e2]! + (yc - edgeTop[e2]!) * edgeSlope[e2]!;
        if (x < xl) xl = x;
        if (x > xr) xr = x;
      }
      if (xl > xr) continue;
      const xs = Math.max(0, Math.ceil(xl - 0.5));
      const xe = Math.min(maxX, Math.ceil(xr - 0.5) - 1);
      if (xs > xe) continue;
      const fx = xs + 0.5 - x0;
      const fy = yc - y0;
      span.offset = (y * width + xs) * 3;
      span.count = xe - xs + 1;
      span.su = u0 + dux * fx + duy * fy - 0.5;
      span.sv = v0 + dvx * fx + dvy * fy - 0.5;
      span.a = a0 + dax * fx + day * fy;
      if (!safe) clampedSpan(source, width, height, out, span, blend);
      else if (opaque) opaqueSpan(pixels, width, out, span);
      else blendedSpan(pixels, width, out, span);
    }
  }
}
