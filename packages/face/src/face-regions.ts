import type { RotatedSquare } from './affine.ts';
import type { Box, Detection } from './face-detector.ts';

/** Mesh indices of the outer eye corners: subject's right eye (image left) and left eye. */
export const RIGHT_EYE_OUTER = 33;
export const LEFT_EYE_OUTER = 263;
/** Mesh indices of the eye corners that bound each eye's iris crop, in image left-to-right order. */
export const RIGHT_EYE_CORNERS = [33, 133] as const;
export const LEFT_EYE_CORNERS = [362, 263] as const;

/** How much larger than the face the landmark model's crop is (MediaPipe's 1.5). */
export const FACE_CROP_SCALE = 1.5;
/** How much larger than the corner-to-corner distance the iris model's crop is (MediaPipe's 2.3). */
export const EYE_CROP_SCALE = 2.3;

/** Landmark-model region from a detection: the box centre, rotated so the detector's eyes are level. */
export function regionFromDetection(detection: Detection): RotatedSquare {
  const [right, left] = detection.keypoints;
  const angle = right && left ? Math.atan2(left[1] - right[1], left[0] - right[0]) : 0;
  const { box } = detection;
  return {
    centerX: box.x + box.width / 2,
    centerY: box.y + box.height / 2,
    size: Math.max(box.width, box.height) * FACE_CROP_SCALE,
    angle,
  };
}

/** Landmark-model region from a box the caller passed: upright, as no rotation is known. */
export function regionFromBox(box: Box): RotatedSquare {
  return {
    centerX: box.x + box.width / 2,
    centerY: box.y + box.height / 2,
    size: Math.max(box.width, box.height) * FACE_CROP_SCALE,
    angle: 0,
  };
}

/**
 * Landmark-model region from a previous pass's mesh: the mesh's bounds measured along the eye line,
 * squared on the long side and enlarged by {@link FACE_CROP_SCALE}.
 */
export function regionFromMesh(points: Float32Array, count: number): RotatedSquare {
  const angle = Math.atan2(
    (points[LEFT_EYE_OUTER * 3 + 1] ?? 0) - (points[RIGHT_EYE_OUTER * 3 + 1] ?? 0),
    (points[LEFT_EYE_OUTER * 3] ?? 0) - (points[RIGHT_EYE_OUTER * 3] ?? 0),
  );
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  let minU = Infinity;
  let maxU = -Infinity;
  let minV = Infinity;
  let maxV = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[i * 3] ?? 0;
    const y = points[i * 3 + 1] ?? 0;
    const u = x * cos + y * sin;
    const v = -x * sin + y * cos;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    minV = Math.min(minV, v);
    maxV = Math.max(maxV, v);
  }
  const cu = (minU + maxU) / 2;
  const cv = (minV + maxV) / 2;
  return {
    centerX: cu * cos - cv * sin,
    centerY: cu * sin + cv * cos,
    size: Math.max(maxU - minU, maxV - minV) * FACE_CROP_SCALE,
    angle,
  };
}

/** Iris-model region of one eye from its two corners (mesh points), level with the corner line. */
export function regionFromEyeCorners(points: Float32Array, corners: readonly [number, number]): RotatedSquare {
  const ax = points[corners[0] * 3] ?? 0;
  const ay = points[corners[0] * 3 + 1] ?? 0;
  const bx = points[corners[1] * 3] ?? 0;
  const by = points[corners[1] * 3 + 1] ?? 0;
  return {
    centerX: (ax + bx) / 2,
    centerY: (ay + by) / 2,
    size: Math.hypot(bx - ax, by - ay) * EYE_CROP_SCALE,
    angle: Math.atan2(by - ay, bx - ax),
  };
}
