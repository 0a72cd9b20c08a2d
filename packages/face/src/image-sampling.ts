import { affineScale, type Affine } from './affine.ts';
import type { RgbImage } from './decode-image.ts';

/** What a sample outside the image reads: the nearest edge pixel, or black. */
export type BorderMode = 'replicate' | 'black';

/** Options of {@link sampleTensor}. */
export interface SampleOptions {
  /** Output side in pixels (square). */
  size: number;
  /** Output pixel -> image pixel transform (continuous coordinates). */
  toImage: Affine;
  /** Value range that 0..255 maps to, e.g. [0, 1] or [-1, 1]. */
  range: readonly [number, number];
  border: BorderMode;
}

/** Most samples per output pixel along one axis when shrinking (box-filtered supersampling). */
const MAX_SUPERSAMPLES = 12;

/**
 * Resamples a square crop of `image` into an NHWC float tensor `[1, size, size, 3]`.
 * Bilinear; when the crop shrinks the image, each output pixel averages a grid of bilinear samples so that
 * the result does not alias and does not depend on the portrait's resolution.
 */
export function sampleTensor(image: RgbImage, options: SampleOptions): Float32Array {
  const { size, toImage, range, border } = options;
  const out = new Float32Array(size * size * 3);
  const k = Math.max(1, Math.min(MAX_SUPERSAMPLES, Math.ceil(affineScale(toImage) - 1e-6)));
  const scale = (range[1] - range[0]) / (255 * k * k);
  const [a, b, c, d, e, f] = toImage;
  const pixel = new Float64Array(3);
  const acc = new Float64Array(3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      acc.fill(0);
      for (let sy = 0; sy < k; sy++) {
        const cy = v + (sy + 0.5) / k;
        for (let sx = 0; sx < k; sx++) {
          const cx = u + (sx + 0.5) / k;
          bilinear(image, a * cx + b * cy + c - 0.5, d * cx + e * cy + f - 0.5, border, pixel);
          acc[0] = (acc[0] ?? 0) + (pixel[0] ?? 0);
          acc[1] = (acc[1] ?? 0) + (pixel[1] ?? 0);
          acc[2] = (acc[2] ?? 0) + (pixel[2] ?? 0);
        }
      }
      const o = (v * size + u) * 3;
      out[o] = (acc[0] ?? 0) * scale + range[0];
      out[o + 1] = (acc[1] ?? 0) * scale + range[0];
      out[o + 2] = (acc[2] ?? 0) * scale + range[0];
    }
  }
  return out;
}

/** Bilinear read at index coordinates (x, y) (pixel centres at integers) into `out` (0..255). */
export function bilinear(image: RgbImage, x: number, y: number, border: BorderMode, out: Float64Array): void {
  const { width, height, data } = image;
  if (border === 'black' && (x <= -1 || y <= -1 || x >= width || y >= height)) {
    out.fill(0);
    return;
  }
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const black = border === 'black';
  const xa = clampIndex(x0, width);
  const xb = clampIndex(x0 + 1, width);
  const ya = clampIndex(y0, height);
  const yb = clampIndex(y0 + 1, height);
  const wa = black && (x0 < 0 || x0 >= width) ? 0 : 1 - fx;
  const wb = black && (x0 + 1 < 0 || x0 + 1 >= width) ? 0 : fx;
  const ha = black && (y0 < 0 || y0 >= height) ? 0 : 1 - fy;
  const hb = black && (y0 + 1 < 0 || y0 + 1 >= height) ? 0 : fy;
  const r0 = ya * width;
  const r1 = yb * width;
  for (let ch = 0; ch < 3; ch++) {
    const p00 = data[(r0 + xa) * 3 + ch] ?? 0;
    const p01 = data[(r0 + xb) * 3 + ch] ?? 0;
    const p10 = data[(r1 + xa) * 3 + ch] ?? 0;
    const p11 = data[(r1 + xb) * 3 + ch] ?? 0;
    out[ch] = ha * (wa * p00 + wb * p01) + hb * (wa * p10 + wb * p11);
  }
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}
