import type { FaceFrame } from '../geometry/face-frame.ts';
import { FACE_OVAL, NOSE_TIP } from '../mesh/landmark-indices.ts';
import { LANDMARK_COUNT } from '../mesh/face-topology.ts';
import { LOWER_LIP, UPPER_LIP } from './blendshapes.ts';
import { type Displacement, spreadField } from './spread-field.ts';

/** Lip gap at jaw_open = 1, relative to the distance from the eye line to the chin. */
export const JAW_GAP = 0.24;

/** The jaw as a rotation about an axis through both jaw joints (parallel to the eye line). */
export interface JawModel {
  /** Pivot along `ey` from the frame origin, pixels. */
  pivotV: number;
  /** Pivot depth, pixels (same axis as landmark z). */
  pivotZ: number;
  /** Rotation (radians) per unit of jaw_open. */
  radiansPerUnit: number;
  /** Share of the jaw rotation per vertex. */
  weight: Float32Array;
}

const LOW_OVAL = [152, 148, 176, 149, 150, 136, 377, 400, 378, 379, 365];
const STILL = [1, 2, 4, 5, 19, 94, 98, 327, 164, 167, 393, 165, 391, 205, 425, 50, 280, 187, 411, 6, 168, 197, 195];

/** Share of the jaw rotation at the mouth corners (they drop a little with the jaw). */
const CORNER_SHARE = 0.45;

export function buildJawModel(rest: Float32Array, vertexCount: number, ring: Uint8Array, frame: FaceFrame): JawModel {
  const controls = new Map<number, Displacement>();
  const mouthU = ((rest[61 * 3]! + rest[291 * 3]!) / 2 - frame.originX) * frame.exX + ((rest[61 * 3 + 1]! + rest[291 * 3 + 1]!) / 2 - frame.originY) * frame.exY;
  /** 0 at the mouth centre, 1 at the corners. */
  const side = (v: number): number => {
    const u = (rest[v * 3]! - frame.originX) * frame.exX + (rest[v * 3 + 1]! - frame.originY) * frame.exY;
    return Math.min(1, Math.abs(u - mouthU) / (frame.mouthWidth / 2));
  };
  // The upper lip stays, except near the corners where it follows their drop: a still upper lip next to a dropped
  // corner made the opening's sides vertical edges.
  for (const v of UPPER_LIP) {
    const t = Math.min(1, Math.max(0, (side(v) - 0.35) / 0.65));
    controls.set(v, [CORNER_SHARE * Math.pow(t, 1.5), 0, 0]);
  }
  for (const v of STILL) controls.set(v, [0, 0, 0]);
  for (const v of FACE_OVAL) if (!LOW_OVAL.includes(v)) controls.set(v, [0, 0, 0]);
  for (const v of [172, 397]) controls.set(v, [0.8, 0, 0]);
  for (const v of [58, 288]) controls.set(v, [0.5, 0, 0]);
  for (const v of [132, 361]) controls.set(v, [0.22, 0, 0]);
  for (const v of [93, 323]) controls.set(v, [0.05, 0, 0]);
  for (const v of LOW_OVAL) controls.set(v, [1, 0, 0]);
  // The lower lip drops less near the corners, which keeps the opening oval rather than boxy.
  for (const v of LOWER_LIP) {
    const s = side(v);
    controls.set(v, [CORNER_SHARE + (1 - CORNER_SHARE) * Math.pow(Math.max(0, 1 - s * s), 1.5), 0, 0]);
  }
  for (const v of [61, 291, 78, 308, 62, 292, 76, 306]) controls.set(v, [CORNER_SHARE, 0, 0]);
  const spread = new Float32Array(vertexCount * 3);
  spreadField(rest, LANDMARK_COUNT, controls, 1e6, spread);
  const weight = new Float32Array(vertexCount);
  for (let v = 0; v < LANDMARK_COUNT; v++) weight[v] = spread[v * 3]!;
  // Rings: the neck below the chin follows the jaw partly.
  const cx = frame.originX;
  const cy = frame.originY;
  for (let v = LANDMARK_COUNT; v < vertexCount; v++) {
    const dx = rest[v * 3]! - cx;
    const dy = rest[v * 3 + 1]! - cy;
    const down = Math.max(0, (dx * frame.eyX + dy * frame.eyY) / (Math.hypot(dx, dy) || 1));
    const share = ring[v] === 1 ? 0.5 : ring[v] === 2 ? 0.12 : 0;
    weight[v] = share * Math.pow(down, 4);
  }
  const pivotV = 0.38 * frame.eyeToChin;
  const pivotZ = rest[NOSE_TIP * 3 + 2]! + 1.5 * frame.eyeDistance;
  // Solve for the rotation that opens the lower lip centre (14) by JAW_GAP * eyeToChin.
  const dv = (rest[14 * 3]! - frame.originX) * frame.eyX + (rest[14 * 3 + 1]! - frame.originY) * frame.eyY - pivotV;
  const dz = rest[14 * 3 + 2]! - pivotZ;
  const target = JAW_GAP * frame.eyeToChin;
  let lo = 0;
  let hi = 1.2;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    const moved = dv * Math.cos(mid) - dz * Math.sin(mid) - dv;
    if (moved < target) lo = mid;
    else hi = mid;
  }
  return { pivotV, pivotZ, radiansPerUnit: (lo + hi) / 2, weight };
}
