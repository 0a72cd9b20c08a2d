/**
 * The per-pixel loops of the triangle warp: one horizontal span of destination pixels, each filled by a bilinear
 * sample of the source at (su, sv) (pixel-index space, pixel centres at integers), the position stepping by
 * (dux, dvx) per pixel. The position (and opacity) are accumulated by repeated addition, pixel after pixel, so every
 * caller gets the same values to the last bit.
 */

/** The RGB image one pixel per word (r | g << 8 | b << 16), so that a bilinear sample reads four words. */
export function packPixels(rgb: Uint8Array): Uint32Array {
  const pixels = new Uint32Array(rgb.length / 3);
  for (let i = 0, o = 0; i < pixels.length; i++, o += 3) pixels[i] = rgb[o]! | (rgb[o + 1]! << 8) | (rgb[o + 2]! << 16);
  return pixels;
}

/** Where a span starts and how its source position (and opacity) step per pixel. */
export interface Span {
  /** Byte offset of the span's first pixel in `out`. */
  offset: number;
  /** Number of pixels. */
  count: number;
  su: number;
  sv: number;
  dux: number;
  dvx: number;
  /** Opacity at the first pixel and its step per pixel (blended spans only). */
  a: number;
  dax: number;
}

/**
 * Opaque span whose source footprint lies inside the image (one pixel of margin for the bilinear neighbour, so
 * positions are >= 0: in-image spans start 1 pixel inside).
 */
export function opaqueSpan(pixels: Uint32Array, width: number, out: Uint8Array, span: Span): void {
  const { dux, dvx } = span;
  let { su, sv, offset: o } = span;
  for (let n = span.count; n > 0; n--, su += dux, sv += dvx, o += 3) {
    const rgb = sampleFixed(pixels, width, su, sv);
    out[o] = rgb & 255;
    out[o + 1] = (rgb >> 8) & 255;
    out[o + 2] = rgb >> 16;
  }
}

/**
 * The bilinear sample at (su, sv) >= 0 as r | g << 8 | b << 16: weights in 8-bit fixed point. The position in 1/256
 * pixel, truncated once, gives the pixel (its high bits) and the weight (its low 8 bits): for a position >= 0 these
 * equal truncating the position and 256 times its fraction, since multiplying by 256 is exact.
 */
function sampleFixed(pixels: Uint32Array, width: number, su: number, sv: number): number {
  const su8 = (su * 256) | 0;
  const sv8 = (sv * 256) | 0;
  const fx = su8 & 255;
  const fy = sv8 & 255;
  const w11 = fx * fy;
  const w10 = (fx << 8) - w11;
  const w01 = (fy << 8) - w11;
  const w00 = 65536 - (fx << 8) - w01;
  const p = (sv8 >> 8) * width + (su8 >> 8);
  const c00 = pixels[p]!, c10 = pixels[p + 1]!, c01 = pixels[p + width]!, c11 = pixels[p + width + 1]!;
  const r = ((c00 & 255) * w00 + (c10 & 255) * w10 + (c01 & 255) * w01 + (c11 & 255) * w11 + 32768) >> 16;
  const g = (((c00 >> 8) & 255) * w00 + ((c10 >> 8) & 255) * w10 + ((c01 >> 8) & 255) * w01 + ((c11 >> 8) & 255) * w11 + 32768) >> 16;
  const b = ((c00 >> 16) * w00 + (c10 >> 16) * w10 + (c01 >> 16) * w01 + (c11 >> 16) * w11 + 32768) >> 16;
  return r | (g << 8) | (b << 16);
}

/**
 * Span blended over `out` with opacity `a` (8-bit fixed point), source footprint inside the image as for
 * {@link opaqueSpan}. A pixel of opacity 0 keeps its value, so it is skipped.
 */
export function blendedSpan(pixels: Uint32Array, width: number, out: Uint8Array, span: Span): void {
  const { dux, dvx, dax } = span;
  let { su, sv, a, offset: o } = span;
  for (let n = span.count; n > 0; n--, su += dux, sv += dvx, a += dax, o += 3) {
    const k = a <= 0 ? 0 : a >= 1 ? 256 : (a * 256) | 0;
    if (k === 0) continue;
    const rgb = sampleFixed(pixels, width, su, sv);
    const keep = 256 - k;
    out[o] = (out[o]! * keep + (rgb & 255) * k + 128) >> 8;
    out[o + 1] = (out[o + 1]! * keep + ((rgb >> 8) & 255) * k + 128) >> 8;
    out[o + 2] = (out[o + 2]! * keep + (rgb >> 16) * k + 128) >> 8;
  }
}

/**
 * Span whose source footprint may reach past the image: the position is clamped to the image and sampled in
 * floating point; blended over `out` with opacity `a` when `blend`, else opaque.
 */
export function clampedSpan(source: Uint8Array, width: number, height: number, out: Uint8Array, span: Span, blend: boolean): void {
  const rowStride = width * 3;
  const maxX = width - 1;
  const maxY = height - 1;
  const { dux, dvx, dax } = span;
  let { su, sv, a, offset: o } = span;
  for (let n = span.count; n > 0; n--, su += dux, sv += dvx, a += dax, o += 3) {
    const cu = su < 0 ? 0 : su > maxX ? maxX : su;
    const cv = sv < 0 ? 0 : sv > maxY ? maxY : sv;
    let ix = cu | 0;
    let iy = cv | 0;
    if (ix >= maxX) ix = maxX - 1;
    if (iy >= maxY) iy = maxY - 1;
    const tx = cu - ix;
    const ty = cv - iy;
    const p = (iy * width + ix) * 3;
    const q = p + rowStride;
    const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
    const r = source[p]! * w00 + source[p + 3]! * w10 + source[q]! * w01 + source[q + 3]! * w11;
    const g = source[p + 1]! * w00 + source[p + 4]! * w10 + source[q + 1]! * w01 + source[q + 4]! * w11;
    const b = source[p + 2]! * w00 + source[p + 5]! * w10 + source[q + 2]! * w01 + source[q + 5]! * w11;
    if (blend) {
      const k = a < 0 ? 0 : a > 1 ? 1 : a;
      out[o] = out[o]! + (r - out[o]!) * k + 0.5;
      out[o + 1] = out[o + 1]! + (g - out[o + 1]!) * k + 0.5;
      out[o + 2] = out[o + 2]! + (b - out[o + 2]!) * k + 0.5;
    } else {
      out[o] = r + 0.5;
      out[o + 1] = g + 0.5;
      out[o + 2] = b + 0.5;
    }
  }
}
