import type { FrameLandmarks } from './mouth-metrics.ts';

/**
 * Points that move only with the head: eye corners, nose bridge and tip, nose wings, forehead, cheekbones, temples.
 * Lids, brows, lips and jaw stay out, so a blink or a word does not read as a head turn.
 */
export const HEAD_POINTS = Object.freeze([33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1, 98, 327, 10, 151, 9, 234, 454, 93, 323, 127, 356]);

export interface HeadAngles {
  /** Turn about the vertical axis, degrees. */
  yaw: number;
  /** Nod about the horizontal axis, degrees. */
  pitch: number;
  /** Tilt in the image plane, degrees. */
  roll: number;
}

type Vec3 = [number, number, number];

function points(landmarks: FrameLandmarks): Vec3[] {
  return HEAD_POINTS.map((i) => [landmarks[i * 3]!, landmarks[i * 3 + 1]!, landmarks[i * 3 + 2]!]);
}

function centred(ps: Vec3[]): Vec3[] {
  const c = [0, 1, 2].map((k) => ps.reduce((s, p) => s + p[k]!, 0) / ps.length);
  return ps.map((p) => [p[0] - c[0]!, p[1] - c[1]!, p[2] - c[2]!]);
}

/** Largest eigenvector of a symmetric 4x4 matrix (power iteration on the matrix shifted to be positive definite). */
function dominantEigenvector(m: number[][]): number[] {
  const shift = m.reduce((s, row) => s + row.reduce((t, v) => t + Math.abs(v), 0), 0);
  let v = [1, 0, 0, 0];
  for (let iteration = 0; iteration < 200; iteration++) {
    const next = m.map((row, i) => row.reduce((s, value, j) => s + value * v[j]!, 0) + shift * v[i]!);
    const norm = Math.hypot(...next);
    v = next.map((x) => x / norm);
  }
  return v;
}

/**
 * The rotation taking the reference's head points onto the frame's (least squares, Horn's unit quaternion method),
 * as yaw, pitch and roll in degrees. Landmarks are x, y (image pixels, y down) and z (pixels, negative nearer).
 */
export function headRotation(reference: FrameLandmarks, frame: FrameLandmarks): HeadAngles {
  const a = centred(points(reference));
  const b = centred(points(frame));
  const s = [0, 1, 2].map((i) => [0, 1, 2].map((j) => a.reduce((sum, p, k) => sum + p[i]! * b[k]![j]!, 0)));
  const [[sxx, sxy, sxz], [syx, syy, syz], [szx, szy, szz]] = s as [Vec3, Vec3, Vec3];
  const n = [
    [sxx + syy + szz, syz - szy, szx - sxz, sxy - syx],
    [syz - szy, sxx - syy - szz, sxy + syx, szx + sxz],
    [szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy],
    [sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz],
  ];
  const [w, x, y, z] = dominantEigenvector(n) as [number, number, number, number];
  const r20 = 2 * (x * z - w * y);
  const r21 = 2 * (y * z + w * x);
  const r22 = 1 - 2 * (x * x + y * y);
  const r10 = 2 * (x * y + w * z);
  const r00 = 1 - 2 * (y * y + z * z);
  const degrees = 180 / Math.PI;
  return {
    yaw: Math.asin(Math.max(-1, Math.min(1, -r20))) * degrees,
    pitch: Math.atan2(r21, r22) * degrees,
    roll: Math.atan2(r10, r00) * degrees,
  };
}

/** Standard deviation over the frames of each head angle (degrees), measured against the first frame. */
export function headMotionStd(frames: readonly FrameLandmarks[]): HeadAngles {
  if (frames.length < 2) return { yaw: 0, pitch: 0, roll: 0 };
  const angles = frames.map((f) => headRotation(frames[0]!, f));
  const std = (key: keyof HeadAngles): number => {
    const values = angles.map((a) => a[key]);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    return Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  };
  return { yaw: std('yaw'), pitch: std('pitch'), roll: std('roll') };
}
