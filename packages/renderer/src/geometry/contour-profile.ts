/**
 * An opening between two contours (lips or eyelids) described column by column in a local frame whose
 * axis runs from one corner to the other: for column `a` (pixels from the first corner) `upper[a]` and
 * `lower[a]` are the signed distances of the two contours from the axis (positive = down the face).
 */
export interface ContourProfile {
  cornerX: number;
  cornerY: number;
  axisX: number;
  axisY: number;
  normalX: number;
  normalY: number;
  length: number;
  /** Samples at a = 0, 1, ..., columns - 1. */
  upper: Float32Array;
  lower: Float32Array;
}

function polylineAt(points: Float32Array, indices: readonly number[], frame: ContourProfile, out: Float32Array): void {
  const count = indices.length;
  const as = new Float64Array(count);
  const bs = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const dx = points[indices[k]! * 3]! - frame.cornerX;
    const dy = points[indices[k]! * 3 + 1]! - frame.cornerY;
    as[k] = dx * frame.axisX + dy * frame.axisY;
    bs[k] = dx * frame.normalX + dy * frame.normalY;
  }
  // Columns are sampled on a polyline forced monotone in a (a fold under strong yaw would otherwise double back).
  for (let k = 1; k < count; k++) if (as[k]! < as[k - 1]!) as[k] = as[k - 1]!;
  let seg = 0;
  for (let a = 0; a < out.length; a++) {
    while (seg < count - 2 && as[seg + 1]! < a) seg++;
    const a0 = as[seg]!;
    const a1 = as[seg + 1]!;
    const t = a1 > a0 ? Math.min(1, Math.max(0, (a - a0) / (a1 - a0))) : 0;
    out[a] = bs[seg]! + (bs[seg + 1]! - bs[seg]!) * t;
  }
}

/**
 * Builds the profile of the opening bounded by `upperIndices` and `lowerIndices` (both from corner to corner,
 * sharing their first and last points) from vertex positions `points` (x, y, z per vertex).
 */
export function buildContourProfile(
  points: Float32Array,
  upperIndices: readonly number[],
  lowerIndices: readonly number[],
): ContourProfile {
  const first = upperIndices[0]!;
  const last = upperIndices[upperIndices.length - 1]!;
  const cornerX = points[first * 3]!;
  const cornerY = points[first * 3 + 1]!;
  let axisX = points[last * 3]! - cornerX;
  let axisY = points[last * 3 + 1]! - cornerY;
  const length = Math.max(1e-3, Math.hypot(axisX, axisY));
  axisX /= length;
  axisY /= length;
  const columns = Math.max(2, Math.ceil(length) + 1);
  const profile: ContourProfile = {
    cornerX,
    cornerY,
    axisX,
    axisY,
    normalX: -axisY,
    normalY: axisX,
    length,
    upper: new Float32Array(columns),
    lower: new Float32Array(columns),
  };
  polylineAt(points, upperIndices, profile, profile.upper);
  polylineAt(points, lowerIndices, profile, profile.lower);
  return profile;
}

/** Linear interpolation of a column table at fractional column `a` (clamped). */
export function sampleColumn(table: Float32Array, a: number): number {
  const last = table.length - 1;
  if (a <= 0) return table[0]!;
  if (a >= last) return table[last]!;
  const i = Math.floor(a);
  const t = a - i;
  return table[i]! + (table[i + 1]! - table[i]!) * t;
}

/** Where a pixel centre lies against a profile: column `a`, signed distance `b` from the axis, and both contours there. */
export interface ProfilePoint {
  a: number;
  b: number;
  upper: number;
  lower: number;
}

/** Fills `out` for the centre of pixel (x, y); false (and `out` partly filled) when it lies beyond the corners. */
export function locateInProfile(dp: ContourProfile, x: number, y: number, out: ProfilePoint): boolean {
  const px = x + 0.5 - dp.cornerX;
  const py = y + 0.5 - dp.cornerY;
  const a = px * dp.axisX + py * dp.axisY;
  out.a = a;
  if (a <= 0 || a >= dp.length) return false;
  out.b = px * dp.normalX + py * dp.normalY;
  out.upper = sampleColumn(dp.upper, a);
  out.lower = sampleColumn(dp.lower, a);
  return true;
}
