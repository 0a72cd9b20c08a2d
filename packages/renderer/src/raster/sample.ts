/**
 * Bilinear sample of an RGB image at pixel-space position (x, y) (pixel centres at i + 0.5), clamped to the
 * image; writes r, g, b into `out` at `offset`.
 */
export function sampleBilinear(image: Uint8Array, width: number, height: number, x: number, y: number, out: Float32Array, offset = 0): void {
  const maxX = width - 1;
  const maxY = height - 1;
  let u = x - 0.5;
  let v = y - 0.5;
  u = u < 0 ? 0 : u > maxX ? maxX : u;
  v = v < 0 ? 0 : v > maxY ? maxY : v;
  let ix = u | 0;
  let iy = v | 0;
  if (ix >= maxX) ix = Math.max(0, maxX - 1);
  if (iy >= maxY) iy = Math.max(0, maxY - 1);
  const tx = u - ix;
  const ty = v - iy;
  const p = (iy * width + ix) * 3;
  const q = p + width * 3;
  const w00 = (1 - tx) * (1 - ty);
  const w10 = tx * (1 - ty);
  const w01 = (1 - tx) * ty;
  const w11 = tx * ty;
  for (let c = 0; c < 3; c++) {
    out[offset + c] = image[p + c]! * w00 + image[p + 3 + c]! * w10 + image[q + c]! * w01 + image[q + 3 + c]! * w11;
  }
}

export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = (x - edge0) / (edge1 - edge0);
  // The ends return early (the same values as clamping t): t clamped by Math.min and Math.max is the integer 0 or 1
  // on most early frames, V8 records the products below as integer arithmetic, and the painters' optimised code is
  // thrown away at the first fraction.
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return t * t * (3 - 2 * t);
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
