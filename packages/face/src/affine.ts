/**
 * A 2-D affine transform `[a, b, c, d, e, f]`: `x' = a*x + b*y + c`, `y' = d*x + e*y + f`.
 * Coordinates are continuous pixel coordinates: pixel (i, j) covers [i, i+1) x [j, j+1), its centre is (i+0.5, j+0.5).
 */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** Maps one point through `m`. */
export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** The inverse transform; throws on a singular matrix. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new RangeError(`Affine transform is not invertible (determinant ${det}).`);
  }
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** `outer ∘ inner`: first `inner`, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Average scale of the linear part (source units per destination unit for a crop-to-image transform). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/** A square region of the image, rotated by `angle` radians (clockwise on screen, since y points down). */
export interface RotatedSquare {
  centerX: number;
  centerY: number;
  size: number;
  angle: number;
}

/**
 * Transform from an `n` x `n` crop of `region` to image coordinates; `mirror` flips the crop horizontally.
 */
export function squareToImage(region: RotatedSquare, n: number, mirror = false): Affine {
  const k = region.size / n;
  const cos = Math.cos(region.angle) * k;
  const sin = Math.sin(region.angle) * k;
  const sx = mirror ? -1 : 1;
  const h = n / 2;
  return [
    sx * cos,
    -sin,
    region.centerX - sx * cos * h + sin * h,
    sx * sin,
    cos,
    region.centerY - sx * sin * h - cos * h,
  ];
}
