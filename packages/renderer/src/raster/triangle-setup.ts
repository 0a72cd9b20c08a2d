/**
 * The per-triangle set-up of a piecewise-affine warp, shared by the CPU warp (warp-triangles.ts) and the warp graph's
 * id raster (graph/triangle-id-raster.ts) so that both skip the same triangles and cover the same pixels: a
 * destination triangle's vertices, its inverse-affine map to the source, its rows and edges; then per row the span of
 * pixel centres inside it (top-left-consistent, so that triangles sharing an edge neither gap nor overlap).
 */

/** Movement (pixels) under which a triangle counts as unchanged and is left as the copied source. */
const STILL_EPSILON = 0.01;

/** One triangle set up by `setUpTriangle`; reused from triangle to triangle. */
export interface TriangleSetup {
  /** Vertex indices. */
  i0: number;
  i1: number;
  i2: number;
  /** Destination position of vertex 0. */
  x0: number;
  y0: number;
  /** Source (texture) positions of the vertices. */
  u0: number;
  v0: number;
  u1: number;
  v1: number;
  u2: number;
  v2: number;
  /** Source position per destination pixel: u = u0 + dux (x - x0) + duy (y - y0), v likewise. */
  dux: number;
  duy: number;
  dvx: number;
  dvy: number;
  /** Destination edge vectors from vertex 0 (to 1: a, to 2: b) and the inverse of their determinant. */
  ax: number;
  ay: number;
  bx: number;
  by: number;
  inv: number;
  /** Rows [yStart, yEnd] whose pixel centres the triangle may cover (clipped to the image). */
  yStart: number;
  yEnd: number;
  /** The three edges, upper endpoint first (x and y of it, y of the lower, dx/dy), so neighbours agree per row. */
  edgeX: Float64Array;
  edgeTop: Float64Array;
  edgeBottom: Float64Array;
  edgeSlope: Float64Array;
  /** Pixels [spanStart, spanEnd] of the row last given to `rowSpan`. */
  spanStart: number;
  spanEnd: number;
}

export function createTriangleSetup(): TriangleSetup {
  return {
    i0: 0, i1: 0, i2: 0, x0: 0, y0: 0, u0: 0, v0: 0, u1: 0, v1: 0, u2: 0, v2: 0,
    dux: 0, duy: 0, dvx: 0, dvy: 0, ax: 0, ay: 0, bx: 0, by: 0, inv: 0, yStart: 0, yEnd: 0,
    edgeX: new Float64Array(3), edgeTop: new Float64Array(3), edgeBottom: new Float64Array(3), edgeSlope: new Float64Array(3),
    spanStart: 0, spanEnd: 0,
  };
}

function setEdge(s: TriangleSetup, slot: number, xa: number, ya: number, xb: number, yb: number): void {
  if (ya > yb || (ya === yb && xa > xb)) {
    const tx = xa; xa = xb; xb = tx;
    const ty = ya; ya = yb; yb = ty;
  }
  s.edgeX[slot] = xa;
  s.edgeTop[slot] = ya;
  s.edgeBottom[slot] = yb;
  s.edgeSlope[slot] = yb > ya ? (xb - xa) / (yb - ya) : 0;
}

/**
 * Sets `s` up for triangle `t` drawn from `src` (texture) to `dst` positions in an image of `maxY + 1` rows. Returns
 * false, leaving the rest of `s` stale, where the warp skips the triangle: still (every vertex within
 * `STILL_EPSILON` of its source) or degenerate.
 */
export function setUpTriangle(s: TriangleSetup, src: Float32Array, dst: Float32Array, triangles: Uint16Array, t: number, maxY: number): boolean {
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
  ) return false;
  const ax = x1 - x0, ay = y1 - y0, bx = x2 - x0, by = y2 - y0;
  const det = ax * by - bx * ay;
  if (Math.abs(det) < 1e-9) return false;
  const inv = 1 / det;
  s.i0 = i0; s.i1 = i1; s.i2 = i2;
  s.x0 = x0; s.y0 = y0;
  s.u0 = u0; s.v0 = v0; s.u1 = u1; s.v1 = v1; s.u2 = u2; s.v2 = v2;
  s.ax = ax; s.ay = ay; s.bx = bx; s.by = by; s.inv = inv;
  s.dux = ((u1 - u0) * by - (u2 - u0) * ay) * inv;
  s.duy = ((u2 - u0) * ax - (u1 - u0) * bx) * inv;
  s.dvx = ((v1 - v0) * by - (v2 - v0) * ay) * inv;
  s.dvy = ((v2 - v0) * ax - (v1 - v0) * bx) * inv;
  s.yStart = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
  s.yEnd = Math.min(maxY, Math.ceil(Math.max(y0, y1, y2) - 0.5) - 1);
  setEdge(s, 0, x0, y0, x1, y1);
  setEdge(s, 1, x1, y1, x2, y2);
  setEdge(s, 2, x2, y2, x0, y0);
  return true;
}

/** Change per destination pixel along x of a value given at the vertices (f0, f1, f2), over the set-up triangle. */
export function gradientX(s: TriangleSetup, f0: number, f1: number, f2: number): number {
  return ((f1 - f0) * s.by - (f2 - f0) * s.ay) * s.inv;
}

/** Change per destination pixel along y of a value given at the vertices (f0, f1, f2), over the set-up triangle. */
export function gradientY(s: TriangleSetup, f0: number, f1: number, f2: number): number {
  return ((f2 - f0) * s.ax - (f1 - f0) * s.bx) * s.inv;
}

/**
 * Puts the pixels of row `y` whose centres the set-up triangle covers, clipped to [0, maxX], in
 * `s.spanStart`..`s.spanEnd`; returns false where there are none.
 */
export function rowSpan(s: TriangleSetup, y: number, maxX: number): boolean {
  const { edgeX, edgeTop, edgeBottom, edgeSlope } = s;
  const yc = y + 0.5;
  let xl = Infinity, xr = -Infinity;
  if (yc >= edgeTop[0]! && yc < edgeBottom[0]!) {
    const x = edgeX[0]! + (yc - edgeTop[0]!) * edgeSlope[0]!;
    if (x < xl) xl = x;
    if (x > xr) xr = x;
  }
  if (yc >= edgeTop[1]! && yc < edgeBottom[1]!) {
    const x = edgeX[1]! + (yc - edgeTop[1]!) * edgeSlope[1]!;
    if (x < xl) xl = x;
    if (x > xr) xr = x;
  }
  if (yc >= edgeTop[2]! && yc < edgeBottom[2]!) {
    const x = edgeX[2]! + (yc - edgeTop[2]!) * edgeSlope[2]!;
    if (x < xl) xl = x;
    if (x > xr) xr = x;
  }
  if (xl > xr) return false;
  const xs = Math.max(0, Math.ceil(xl - 0.5));
  const xe = Math.min(maxX, Math.ceil(xr - 0.5) - 1);
  if (xs > xe) return false;
  s.spanStart = xs;
  s.spanEnd = xe;
  return true;
}
