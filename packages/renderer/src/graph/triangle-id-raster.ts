import { createTriangleSetup, gradientX, gradientY, rowSpan, setUpTriangle } from '../raster/triangle-setup.ts';
import type { WarpPass } from './frame-plan.ts';

/**
 * The CPU step of the warp graph: rasterises one frame's warp passes into a triangle id per pixel and, per triangle,
 * the affine maps the graph evaluates at the pixel centres (see mesh-warp-graph.ts). Which pixels a triangle covers
 * follows the CPU warp (raster/warp-triangles.ts) exactly: both set triangles up, skip them and walk their rows with
 * raster/triangle-setup.ts; so only the sampling and blending arithmetic differ.
 */

/** Values per triangle map: 3 rows (grid x, grid y, opacity) of 3 coefficients (1, x + 0.5, y + 0.5). */
export const MAP_SIZE = 9;

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

const triangle = createTriangleSetup();

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
    if (!setUpTriangle(triangle, src, dst, triangles, t, maxY)) continue;
    const { i0, i1, i2, x0, y0, u0, v0, dux, duy, dvx, dvy } = triangle;
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
      const dax = gradientX(triangle, a0, a1, a2);
      const day = gradientY(triangle, a0, a1, a2);
      maps[m + 6] = a0 - dax * x0 - day * y0;
      maps[m + 7] = dax;
      maps[m + 8] = day;
    }
    const id = firstMap + slot;
    for (let y = triangle.yStart; y <= triangle.yEnd; y++) {
      if (!rowSpan(triangle, y, maxX)) continue;
      const start = y * width + triangle.spanStart;
      const end = y * width + triangle.spanEnd + 1;
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
