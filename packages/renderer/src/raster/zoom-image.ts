import type { BorderExtension } from './border-extension.ts';

/** A camera zoom of a whole image: the output magnified by `factor` about the centre (cx, cy), pixel space. */
export interface ZoomParams {
  cx: number;
  cy: number;
  /** Magnification: > 1 zooms in, < 1 zooms out. */
  factor: number;
}

const ext = new Float32Array(3);

/**
 * Resamples `source` (RGB, width * height * 3) as seen by a camera zoomed by `zoom.factor` about the centre, into
 * `out` (same size): bilinear inside the source, the smooth border extension beyond it (zooming out).
 */
export function zoomImage(source: Uint8Array, width: number, height: number, zoom: ZoomParams, extension: BorderExtension, out: Uint8Array): void {
  const maxU = width - 1;
  const maxV = height - 1;
  const inv = 1 / zoom.factor;
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const v = zoom.cy + (y + 0.5 - zoom.cy) * inv - 0.5;
    const rowInside = v >= 0 && v <= maxV;
    let iy = v < 0 ? 0 : Math.min(maxV - 1, Math.floor(v));
    if (iy < 0) iy = 0;
    const ty = rowInside ? v - iy : 0;
    let o = y * row;
    for (let x = 0; x < width; x++, o += 3) {
      const u = zoom.cx + (x + 0.5 - zoom.cx) * inv - 0.5;
      if (!rowInside || u < 0 || u > maxU) {
        extension.sample(u, v, ext);
        out[o] = ext[0]! + 0.5;
        out[o + 1] = ext[1]! + 0.5;
        out[o + 2] = ext[2]! + 0.5;
        continue;
      }
      const ix = Math.min(maxU - 1, Math.floor(u));
      const tx = u - ix;
      const p = (iy * width + ix) * 3;
      const q = height > 1 ? p + row : p;
      const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
      out[o] = source[p]! * w00 + source[p + 3]! * w10 + source[q]! * w01 + source[q + 3]! * w11 + 0.5;
      out[o + 1] = source[p + 1]! * w00 + source[p + 4]! * w10 + source[q + 1]! * w01 + source[q + 4]! * w11 + 0.5;
      out[o + 2] = source[p + 2]! * w00 + source[p + 5]! * w10 + source[q + 2]! * w01 + source[q + 5]! * w11 + 0.5;
    }
  }
}
