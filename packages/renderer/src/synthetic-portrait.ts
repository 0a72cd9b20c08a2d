import { canonicalLandmarks } from './mesh/canonical-face.ts';
import {
  BROW_L, BROW_R, EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER, FACE_OVAL, INNER_LOWER, INNER_UPPER,
  OUTER_LOWER, OUTER_UPPER,
} from './mesh/landmark-indices.ts';

/** A drawn test portrait with its exact landmarks. */
export interface SyntheticPortrait {
  width: number;
  height: number;
  data: Uint8Array;
  landmarks: Float32Array;
}

export const SKIN: readonly [number, number, number] = [214, 168, 140];
export const LIP: readonly [number, number, number] = [186, 70, 72];
export const SCLERA: readonly [number, number, number] = [238, 236, 232];
export const IRIS: readonly [number, number, number] = [70, 45, 30];
export const MOUTH_DARK: readonly [number, number, number] = [40, 12, 14];

function polygon(points: Float32Array, indices: readonly number[]): [number, number][] {
  return indices.map((i) => [points[i * 3]!, points[i * 3 + 1]!]);
}

function inside(poly: [number, number][], x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

function fill(data: Uint8Array, width: number, poly: [number, number][], colour: (x: number, y: number) => readonly [number, number, number]): void {
  const xs = poly.map((p) => p[0]);
  const ys = poly.map((p) => p[1]);
  for (let y = Math.floor(Math.min(...ys)); y <= Math.ceil(Math.max(...ys)); y++) {
    for (let x = Math.floor(Math.min(...xs)); x <= Math.ceil(Math.max(...xs)); x++) {
      if (!inside(poly, x + 0.5, y + 0.5)) continue;
      const c = colour(x, y);
      data.set(c, (y * width + x) * 3);
    }
  }
}

/**
 * Draws a 512x512 portrait from MediaPipe's canonical face: a textured background, skin inside the face oval with
 * a gentle gradient, brows, eyes (sclera + iris), red lips and a dark mouth opening (the canonical mouth is slightly
 * open).
 */
export function syntheticPortrait(size = 512): SyntheticPortrait {
  const landmarks = canonicalLandmarks(size / 2, size * 0.53, size / 28.5);
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const stripe = ((x >> 4) + (y >> 4)) & 1;
      data.set([60 + ((x * 97) % 40) + stripe * 30, 90 + (y % 50), 120 + stripe * 40], (y * size + x) * 3);
    }
  }
  fill(data, size, polygon(landmarks, FACE_OVAL), (x, y) => [SKIN[0] - ((y * 3) % 9), SKIN[1] - ((x * 5) % 11), SKIN[2] + ((x + y) % 7)]);
  for (const brow of [BROW_R, BROW_L]) {
    fill(data, size, polygon(landmarks, [...brow.slice(0, 5), ...brow.slice(5).reverse()]), () => [90, 60, 40]);
  }
  const eyes = [
    { upper: EYE_R_UPPER, lower: EYE_R_LOWER, iris: 468 },
    { upper: EYE_L_UPPER, lower: EYE_L_LOWER, iris: 473 },
  ];
  for (const eye of eyes) {
    const outline = polygon(landmarks, [...eye.upper, ...[...eye.lower].reverse()]);
    const cx = landmarks[eye.iris * 3]!;
    const cy = landmarks[eye.iris * 3 + 1]!;
    const r = Math.hypot(landmarks[(eye.iris + 1) * 3]! - cx, landmarks[(eye.iris + 1) * 3 + 1]! - cy);
    fill(data, size, outline, (x, y) => (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r ? IRIS : SCLERA));
  }
  fill(data, size, polygon(landmarks, [...OUTER_UPPER, ...[...OUTER_LOWER].reverse()]), () => LIP);
  fill(data, size, polygon(landmarks, [...INNER_UPPER, ...[...INNER_LOWER].reverse()]), () => MOUTH_DARK);
  return { width: size, height: size, data, landmarks };
}
