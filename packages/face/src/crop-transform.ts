import type { Affine } from './affine.ts';
import { LEFT_EYE_CORNERS, RIGHT_EYE_CORNERS } from './face-regions.ts';
import { MESH_POINTS } from './landmark-models.ts';

/** Side of the aligned face crop in pixels. */
export const CROP_SIZE = 512;
/** Width of the face (the mesh's extent along the eye line) as a fraction of the crop. */
export const CROP_FACE_WIDTH = 0.42;
/** Height of the eye line as a fraction of the crop, from the top. */
export const CROP_EYE_HEIGHT = 0.42;

function eyeCentre(points: Float32Array, corners: readonly [number, number]): [number, number] {
  const [a, b] = corners;
  return [((points[a * 3] ?? 0) + (points[b * 3] ?? 0)) / 2, ((points[a * 3 + 1] ?? 0) + (points[b * 3 + 1] ?? 0)) / 2];
}

/**
 * Image -> crop similarity transform: the eye line (between the eye-corner midpoints) horizontal at
 * {@link CROP_EYE_HEIGHT}, the mesh's extent along the eye line centred and {@link CROP_FACE_WIDTH} wide.
 */
export function cropTransform(landmarks: Float32Array): Affine {
  const [rx, ry] = eyeCentre(landmarks, RIGHT_EYE_CORNERS);
  const [lx, ly] = eyeCentre(landmarks, LEFT_EYE_CORNERS);
  const angle = Math.atan2(ly - ry, lx - rx);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  for (let i = 0; i < MESH_POINTS; i++) {
    const u = (landmarks[i * 3] ?? 0) * cos + (landmarks[i * 3 + 1] ?? 0) * sin;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
  }
  const scale = (CROP_FACE_WIDTH * CROP_SIZE) / Math.max(maxU - minU, 1e-6);
  const eyeV = -((rx + lx) / 2) * sin + ((ry + ly) / 2) * cos;
  const a = scale * cos;
  const b = scale * sin;
  return [a, b, CROP_SIZE / 2 - scale * ((minU + maxU) / 2), -b, a, CROP_EYE_HEIGHT * CROP_SIZE - scale * eyeV];
}
