import { smoothstep } from '../raster/sample.ts';

/** Tooth edges from the midline, as fractions of the mouth width: incisors, lateral incisors, canines, premolars. */
const TOOTH_EDGES = [0, 0.085, 0.15, 0.205, 0.25, 0.3];
const TOOTH_LENGTH = [1, 0.9, 0.95, 0.82, 0.75];
const TOOTH_BRIGHTNESS = [1, 0.96, 0.9, 0.82, 0.75];
/**
 * The lower row, as fractions of the mouth width: fewer and wider teeth than the real ones, so that at their small
 * size they read as rounded teeth, not as a saw edge.
 */
const LOWER_TOOTH_EDGES = [0, 0.11, 0.21, 0.3, 0.4];
const LOWER_TOOTH_LENGTH = [1, 0.97, 0.9, 0.8];
const LOWER_TOOTH_BRIGHTNESS = [1, 0.95, 0.87, 0.78];

/** One painted tooth column: its length factor and its shade (darker in the gaps between teeth). */
export interface ToothColumn {
  length: number;
  shade: number;
  /** Position across this tooth, 0 at one edge, 1 at the other. */
  across: number;
}

/**
 * Length factor (scalloped edge) and shade (darker gaps between teeth) of a painted tooth row at `s` (0..1 along the
 * mouth), for a row `rowWidth` pixels wide. Writes into `out` and returns it.
 */
export function toothAt(s: number, rowWidth: number, out: ToothColumn): ToothColumn {
  return rowTooth(TOOTH_EDGES, TOOTH_LENGTH, TOOTH_BRIGHTNESS, s, rowWidth, out);
}

/** {@link toothAt} for the lower row (`LOWER_TOOTH_EDGES`). */
export function lowerToothAt(s: number, rowWidth: number, out: ToothColumn): ToothColumn {
  return rowTooth(LOWER_TOOTH_EDGES, LOWER_TOOTH_LENGTH, LOWER_TOOTH_BRIGHTNESS, s, rowWidth, out);
}

function rowTooth(edges: readonly number[], lengths: readonly number[], brightness: readonly number[], s: number, rowWidth: number, out: ToothColumn): ToothColumn {
  const u = Math.abs(s - 0.5);
  let i = 0;
  while (i < edges.length - 2 && u > edges[i + 1]!) i++;
  const left = edges[i]!;
  const right = edges[i + 1]!;
  const local = Math.min(1, (u - left) / (right - left));
  const gapPx = Math.min(u - left, right - u) * rowWidth;
  out.across = local;
  out.length = lengths[i]! * (1 - 0.18 * Math.pow(2 * local - 1, 4));
  out.shade = brightness[i]! * (1 - 0.16 * Math.exp(-gapPx * gapPx));
  return out;
}

/** How much of the upper tooth row shows at `s`: none at the corners, full from a fifth of the width in. */
export function upperRowProfile(s: number): number {
  return smoothstep(0.02, 0.2, s) * smoothstep(0.98, 0.8, s);
}

/** How much of the lower tooth row shows at `s`: the lower row is narrower (incisors and canines). */
export function lowerRowProfile(s: number): number {
  return smoothstep(0.14, 0.32, s) * smoothstep(0.86, 0.68, s);
}
