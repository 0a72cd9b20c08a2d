import { CHIN, EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER, MOUTH_CORNER_L, MOUTH_CORNER_R } from '../mesh/landmark-indices.ts';

/**
 * A face-aligned 2D frame in image pixels: `ex` runs along the eye line towards image right, `ey` is
 * perpendicular to it pointing down the face. Lengths are in pixels.
 */
export interface FaceFrame {
  originX: number;
  originY: number;
  exX: number;
  exY: number;
  eyX: number;
  eyY: number;
  /** Distance between the eye centres. */
  eyeDistance: number;
  /** Distance from the eye line to the chin along `ey`. */
  eyeToChin: number;
  /** Distance between the mouth corners. */
  mouthWidth: number;
}

function centroid(points: Float32Array, indices: readonly number[]): [number, number, number] {
  let x = 0;
  let y = 0;
  let z = 0;
  for (const i of indices) {
    x += points[i * 3]!;
    y += points[i * 3 + 1]!;
    z += points[i * 3 + 2]!;
  }
  return [x / indices.length, y / indices.length, z / indices.length];
}

/** Centre of the subject's right eye (image left) and left eye from the lid contours. */
export function eyeCentres(points: Float32Array): { right: [number, number, number]; left: [number, number, number] } {
  return {
    right: centroid(points, [...EYE_R_UPPER, ...EYE_R_LOWER]),
    left: centroid(points, [...EYE_L_UPPER, ...EYE_L_LOWER]),
  };
}

export function buildFaceFrame(points: Float32Array): FaceFrame {
  const { right, left } = eyeCentres(points);
  let exX = left[0] - right[0];
  let exY = left[1] - right[1];
  const eyeDistance = Math.hypot(exX, exY);
  exX /= eyeDistance;
  exY /= eyeDistance;
  const eyX = -exY;
  const eyY = exX;
  const originX = (left[0] + right[0]) / 2;
  const originY = (left[1] + right[1]) / 2;
  const eyeToChin = (points[CHIN * 3]! - originX) * eyX + (points[CHIN * 3 + 1]! - originY) * eyY;
  const mouthWidth = Math.hypot(
    points[MOUTH_CORNER_L * 3]! - points[MOUTH_CORNER_R * 3]!,
    points[MOUTH_CORNER_L * 3 + 1]! - points[MOUTH_CORNER_R * 3 + 1]!,
  );
  return { originX, originY, exX, exY, eyX, eyY, eyeDistance, eyeToChin, mouthWidth };
}

/** Face-frame coordinates (u along the eye line, v down the face) of vertex `i`. */
export function toFrame(frame: FaceFrame, points: Float32Array, i: number): [number, number] {
  const dx = points[i * 3]! - frame.originX;
  const dy = points[i * 3 + 1]! - frame.originY;
  return [dx * frame.exX + dy * frame.exY, dx * frame.eyX + dy * frame.eyY];
}
