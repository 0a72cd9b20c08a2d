import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts/constants';
import { type FaceFrame, buildFaceFrame, toFrame } from '../geometry/face-frame.ts';
import { canonicalLandmarks } from '../mesh/canonical-face.ts';
import { EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER } from '../mesh/landmark-indices.ts';
import { LIPS_PART_GAP } from './blendshapes.ts';

/** Iris shift per unit of gaze (30 degrees), relative to the eye width. */
export const GAZE_SHIFT = 0.2;
/** Share of the canonical lid opening that may be missing before an eye counts as partly closed. */
const BLINK_TOLERANCE = 0.3;

interface MouthShape {
  gap: number;
  cornerLift: number;
}

function mouthShape(points: Float32Array, frame: FaceFrame): MouthShape {
  const [, v13] = toFrame(frame, points, 13);
  const [, v14] = toFrame(frame, points, 14);
  const [, v61] = toFrame(frame, points, 61);
  const [, v291] = toFrame(frame, points, 291);
  return {
    gap: Math.max(0, v14 - v13),
    cornerLift: ((v13 + v14) / 2 - (v61 + v291) / 2) / frame.mouthWidth,
  };
}

/** Mean lid opening of one eye relative to its width. */
export function eyeOpening(points: Float32Array, upper: readonly number[], lower: readonly number[]): number {
  const a = upper[0]!;
  const b = upper[upper.length - 1]!;
  const width = Math.hypot(points[a * 3]! - points[b * 3]!, points[a * 3 + 1]! - points[b * 3 + 1]!) || 1;
  let sum = 0;
  for (let k = 2; k <= 6; k++) {
    const u = upper[k]!;
    const l = lower[k]!;
    sum += Math.hypot(points[u * 3]! - points[l * 3]!, points[u * 3 + 1]! - points[l * 3 + 1]!);
  }
  return sum / 5 / width;
}

/** Iris offset from the middle of the eye corners, in units of GAZE_SHIFT * eye width, along the face frame. */
export function irisOffset(points: Float32Array, frame: FaceFrame, upper: readonly number[], iris: number): [number, number] {
  const a = upper[0]!;
  const b = upper[upper.length - 1]!;
  const width = Math.hypot(points[a * 3]! - points[b * 3]!, points[a * 3 + 1]! - points[b * 3 + 1]!) || 1;
  const mx = (points[a * 3]! + points[b * 3]!) / 2;
  const my = (points[a * 3 + 1]! + points[b * 3 + 1]!) / 2;
  const dx = points[iris * 3]! - mx;
  const dy = points[iris * 3 + 1]! - my;
  const unit = GAZE_SHIFT * width;
  return [(dx * frame.exX + dy * frame.exY) / unit, (dx * frame.eyX + dy * frame.eyY) / unit];
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/**
 * Estimates the motion channels the portrait already shows (mouth opening, smile, width, lid closure, gaze),
 * measured against MediaPipe's canonical face. Head channels are 0: head motion is applied relative to the
 * portrait's own pose. `jawGapPx` is the lip gap one unit of jaw_open adds.
 */
export function estimateNeutral(points: Float32Array, frame: FaceFrame, jawGapPx: number, irisRight: number, irisLeft: number): Float32Array {
  const neutral = new Float32Array(MOTION_CHANNEL_COUNT);
  const canonical = canonicalLandmarks(0, 0, 10);
  const canonicalFrame = buildFaceFrame(canonical);
  const source = mouthShape(points, frame);
  const reference = mouthShape(canonical, canonicalFrame);

  const partGap = LIPS_PART_GAP * frame.mouthWidth;
  neutral[CHANNEL.lips_part] = clamp(source.gap / partGap, 0, 1);
  neutral[CHANNEL.jaw_open] = clamp((source.gap - partGap) / Math.max(1e-3, jawGapPx), 0, 1);
  const smile = clamp((source.cornerLift - reference.cornerLift) / 0.09, -1, 1);
  neutral[CHANNEL.smile] = smile;
  // Mouth width varies too much between people to tell mouth_wide or mouth_round from one portrait: both stay 0,
  // so the portrait's own width is the relaxed width.

  const lids = (upper: readonly number[], lower: readonly number[]): number => {
    const ratio = eyeOpening(points, upper, lower) / eyeOpening(canonical, upper, lower);
    return clamp((1 - ratio - BLINK_TOLERANCE) / (1 - BLINK_TOLERANCE), 0, 1);
  };
  neutral[CHANNEL.blink_r] = lids(EYE_R_UPPER, EYE_R_LOWER);
  neutral[CHANNEL.blink_l] = lids(EYE_L_UPPER, EYE_L_LOWER);

  const [rx, ry] = irisOffset(points, frame, EYE_R_UPPER, irisRight);
  const [lx, ly] = irisOffset(points, frame, EYE_L_UPPER, irisLeft);
  const [crx, cry] = irisOffset(canonical, canonicalFrame, EYE_R_UPPER, 468);
  const [clx, cly] = irisOffset(canonical, canonicalFrame, EYE_L_UPPER, 473);
  neutral[CHANNEL.gaze_x] = clamp((rx - crx + lx - clx) / 2, -1, 1);
  neutral[CHANNEL.gaze_y] = clamp((ry - cry + ly - cly) / 2, -1, 1);
  return neutral;
}
