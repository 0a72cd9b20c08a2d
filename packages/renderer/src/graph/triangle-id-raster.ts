import type { WarpPass } from './frame-plan.ts';

/**
 * The CPU step of the warp graph: rasterises one frame's warp passes into a triangle id per pixel and, per triangle,
 * the affine maps the graph evaluates at the pixel centres (see mesh-warp-graph.ts). Which pixels a triangle covers
 * follows the CPU warp (raster/warp-triangles.ts) exactly: pixel centres, the same edge walk and rounding, the same
 * skipped triangles (still, degenerate); so only the sampling and blending arithmetic differ.
 */

/** Values per triangle map: 3 rows (grid x, grid y, opacity) of 3 coefficients (1, x + 0.5, y + 0.5). */
export const MAP_SIZE = 9;

/** Movement (pixels) under which the CPU warp leaves a triangle as the copied source. */
const STILL_EPSILON = 0.01;

/** Where one frame's ids and maps go in the batch. */
export interface TriangleRasterTarget {
  width: number;
  height: number;
  /**
   * The frame's first id layer (width * height, row-major): the first triangle drawn over each pixel (an opaque one
   * replaces everything under it); `firstMap` where none.
   */
  ids: Int32Array;
  /** The frame's second id layer: a blended triangle folded over the first; `firstMap` where none. */
  folded: Int32Array;
  /** Pixels given a second layer so far (counted up by `rasteriseTriangleIds`). */
  foldedPixels: number;
  /** Pixels where a third blended triangle overlapped (the second layer holds the last: the CPU warp blends all). */
  overflowPixels: number;
  /** The frame's block of maps: row 0 (no triangle) then one per triangle, `MAP_SIZE` values each. */
  maps: Float32Array;
  /** Index of the frame's row 0 in the batch's maps (the ids are absolute rows). */
  firstMap: number;
}

const edgeX = new Float64Array(3);
const edgeTop = new Float64Array(3);
const edgeBottom = new Float64Array(3);
const edgeSlope = new Float64Array(3);

function setEdge(slot: number, xa: number, ya: number, xb: number, yb: number): void {
  if (ya > yb || (ya === yb && xa > xb)) {
    const tx = xa; xa = xb; xb = tx;
    const ty = ya; ya = yb; yb = ty;
  }
  edgeX[slot] = xa;
  edgeTop[slot] = ya;
  edgeBottom[slot] = yb;
  edgeSlope[slot] = yb > ya ? (xb - xa) / (yb - ya) : 0;
}

/** Clears the frame's ids, its counts and its row 0 (opacity 0). */
export function clearTriangleRaster(target: TriangleRasterTarget): void {
  target.ids.fill(target.firstMap);
  target.folded.fill(target.firstMap);
  target.maps.fill(0, 0, MAP_SIZE);
  target.foldedPixels = 0;
  target.overflowPixels = 0;
}

/**
 * Draws one pass as the CPU warp draws it: an opaque triangle replaces what lies under it, a blended one goes over
 * the pixel's first layer, or over its second where a ring triangle folded over another.
 */
export function rasteriseTriangleIds(target: TriangleRasterTarget, pass: WarpPass, triangles: Uint16Array): void {
  const { width, height, ids, folded, maps, firstMap } = target;
  const { src, dst, alpha } = pass;
  const maxX = width - 1;
  const maxY = height - 1;
  for (let t = pass.first; t < pass.end; t++) {
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
    const slot = t + 1;
    const m = slot * MAP_SIZE;
    // Source position u = u0 + dux (x - x0) + duy (y - y0) (continuous coordinates, pixel i spans [i, i + 1]);
    // GridSample's normalised x with align_corners 0 is 2 u / width - 1.
    maps[m] = (2 * (u0 - dux * x0 - duy * y0)) / width - 1;
    maps[m + 1] = (2 * dux) / width;
    maps[m + 2] = (2 * duy) / width;
    maps[m + 3] = (2 * (v0 - dvx * x0 - dvy * y0)) / height - 1;
    maps[m + 4] = (2 * dvx) / height;
    maps[m + 5] = (2 * dvy) / height;
    const a0 = alpha === null ? 1 : alpha[i0]!;
    const a1 = alpha === null ? 1 : alpha[i1]!;
    const a2 = alpha === null ? 1 : alpha[i2]!;
    const opaque = a0 === 1 && a1 === 1 && a2 === 1;
    if (opaque) {
      maps[m + 6] = 1;
      maps[m + 7] = 0;
      maps[m + 8] = 0;
    } else {
      const dax = ((a1 - a0) * by - (a2 - a0) * ay) * inv;
      const day = ((a2 - a0) * ax - (a1 - a0) * bx) * inv;
      maps[m + 6] = a0 - dax * x0 - day * y0;
      maps[m + 7] = dax;
      maps[m + 8] = day;
    }
    const id = firstMap + slot;
    const yStart = Math.max(0, Math.ceil(Math.min(y0, y1, y2) - 0.5));
    const yEnd = Math.min(maxY, Math.ceil(Math.max(y0, y1, y2) - 0.5) - 1);
    setEdge(0, x0, y0, x1, y1);
    setEdge(1, x1, y1, x2, y2);
    setEdge(2, x2, y2, x0, y0);
    for (let y = yStart; y <= yEnd; y++) {
      const yc = y + 0.5;
      let xl = Infinity, xr = -Infinity;
      for (let e = 0; e < 3; e++) {
        if (yc >= edgeTop[e]! && yc < edgeBottom[e]!) {
          const x = edgeX[e]! + (yc - edgeTop[e]!) * edgeSlope[e]!;
          if (x < xl) xl = x;
          if (x > xr) xr = x;
        }
      }
      if (xl > xr) continue;
      const xs = Math.max(0, Math.ceil(xl - 0.5));
      const xe = Math.min(maxX, Math.ceil(xr - 0.5) - 1);
      if (xs > xe) continue;
      const start = y * width + xs;
      const end = y * width + xe + 1;
      if (opaque) {
        ids.fill(id, start, end);
        if (target.foldedPixels > 0) folded.fill(firstMap, start, end);
        continue;
      }
      for (let p = start; p < end; p++) {
        if (ids[p] === firstMap) ids[p] = id;
        else {
          if (folded[p] !== firstMap) target.overflowPixels++;
          else target.foldedPixels++;
          folded[p] = id;
        }
      }
    }
  }
}
