import type { FaceFrame } from '../geometry/face-frame.ts';
import {
  BROW_L, BROW_R, CHEEKS, EYE_L_CREASE, EYE_L_CREASE2, EYE_L_LOWER, EYE_L_UPPER, EYE_R_CREASE, EYE_R_CREASE2,
  EYE_R_LOWER, EYE_R_UPPER, INNER_LOWER, INNER_UPPER, MID_LOWER, MID_UPPER, OUTER_LOWER, OUTER_UPPER,
} from '../mesh/landmark-indices.ts';
import { type Displacement, spreadField } from './spread-field.ts';

/** Displacement fields, one per entry, each vertexCount * 3 floats (pixels per unit of the channel). */
export const FIELD = Object.freeze({
  lipsPart: 0,
  mouthWide: 1,
  mouthRound: 2,
  upperLipRaise: 3,
  lowerLipTuck: 4,
  lipsPress: 5,
  smileUp: 6,
  smileDown: 7,
  openLeftEye: 8,
  openRightEye: 9,
  browUp: 10,
  browDown: 11,
  browFurrow: 12,
});
export const FIELD_COUNT = 13;

/** Lip gap (px) per unit of lips_part, relative to the mouth width. */
export const LIPS_PART_GAP = 0.2;

const CORNERS = new Set([61, 291, 78, 308, 62, 292, 76, 306]);
const UPPER_LIP = new Set([...OUTER_UPPER, ...INNER_UPPER, ...MID_UPPER].filter((i) => !CORNERS.has(i)));
const LOWER_LIP = new Set([...OUTER_LOWER, ...INNER_LOWER, ...MID_LOWER].filter((i) => !CORNERS.has(i)));
const INNER_UPPER_SET = new Set(INNER_UPPER);
const INNER_LOWER_SET = new Set(INNER_LOWER);
const OUTER_SET = new Set([...OUTER_UPPER, ...OUTER_LOWER]);
export const LIP_VERTICES = Object.freeze([...new Set([...CORNERS, ...UPPER_LIP, ...LOWER_LIP])]);
export { UPPER_LIP, LOWER_LIP };
const EYES_AND_NOSE_PINS = [...EYE_R_LOWER, ...EYE_L_LOWER, 1, 4, 5, 195, 197, 6, 168, 45, 275, 220, 440];
const BROW_INNER = new Set([107, 66, 55, 65, 336, 296, 285, 295]);
const BROW_MIDDLE = new Set([105, 52, 334, 282, 63, 53, 293, 283]);

interface FieldContext {
  frame: FaceFrame;
  rest: Float32Array;
  vertexCount: number;
  /** Mouth centre in face-frame units. */
  mouthU: number;
  halfWidth: number;
}

function frameDisplacement(frame: FaceFrame, du: number, dv: number, dz: number): Displacement {
  return [du * frame.exX + dv * frame.eyX, du * frame.exY + dv * frame.eyY, dz];
}

/** Position of vertex `v` along the mouth, -1 at the subject's right corner, +1 at the left. */
function mouthS(ctx: FieldContext, v: number): number {
  const dx = ctx.rest[v * 3]! - ctx.frame.originX;
  const dy = ctx.rest[v * 3 + 1]! - ctx.frame.originY;
  const u = dx * ctx.frame.exX + dy * ctx.frame.exY;
  return Math.max(-1, Math.min(1, (u - ctx.mouthU) / ctx.halfWidth));
}

function write(ctx: FieldContext, controls: Map<number, Displacement>, sigma: number, fields: Float32Array, field: number): void {
  const size = ctx.vertexCount * 3;
  spreadField(ctx.rest, ctx.vertexCount, controls, sigma, fields.subarray(field * size, (field + 1) * size));
}

/** Nose vertices that mouth fields must not drag along. */
const NOSE_PINS = [1, 2, 4, 5, 6, 19, 45, 48, 64, 75, 94, 97, 98, 99, 115, 195, 197, 220, 240, 275, 278, 294, 305, 326, 327, 328, 344, 440, 460];

function lipField(ctx: FieldContext, shape: (v: number, s: number) => [number, number, number]): Map<number, Displacement> {
  const controls = new Map<number, Displacement>();
  for (const v of NOSE_PINS) controls.set(v, [0, 0, 0]);
  for (const v of LIP_VERTICES) {
    const [du, dv, dz] = shape(v, mouthS(ctx, v));
    controls.set(v, frameDisplacement(ctx.frame, du, dv, dz));
  }
  return controls;
}

function mouthFields(ctx: FieldContext, fields: Float32Array): void {
  const mw = ctx.frame.mouthWidth;
  const profile = (s: number): number => Math.max(0, 1 - s * s);
  const gap = LIPS_PART_GAP * mw;
  write(ctx, lipField(ctx, (v, s) => {
    const p = Math.pow(profile(s), 0.6);
    if (UPPER_LIP.has(v)) return [0, -0.35 * gap * p, 0];
    if (LOWER_LIP.has(v)) return [0, 0.65 * gap * p, 0];
    return [0, 0, 0];
  }), 0.35 * mw, fields, FIELD.lipsPart);
  write(ctx, lipField(ctx, (v, s) => {
    const thin = 0.02 * mw * profile(s);
    return [0.12 * mw * s, UPPER_LIP.has(v) ? thin : LOWER_LIP.has(v) ? -thin : 0, 0];
  }), 0.5 * mw, fields, FIELD.mouthWide);
  write(ctx, lipField(ctx, (v, s) => {
    const p = profile(s);
    let dv = 0;
    if (INNER_UPPER_SET.has(v)) dv = -0.05 * mw * p;
    else if (INNER_LOWER_SET.has(v)) dv = 0.05 * mw * p;
    else if (OUTER_SET.has(v)) dv = (UPPER_LIP.has(v) ? -0.02 : LOWER_LIP.has(v) ? 0.02 : 0) * mw * p;
    return [-0.22 * mw * s, dv, -0.12 * mw * p];
  }), 0.45 * mw, fields, FIELD.mouthRound);
  write(ctx, lipField(ctx, (v, s) => {
    const p = Math.sqrt(profile(s));
    if (!UPPER_LIP.has(v)) return [0, 0, 0];
    return [0, (INNER_UPPER_SET.has(v) ? -0.13 : -0.1) * mw * p, 0];
  }), 0.35 * mw, fields, FIELD.upperLipRaise);
  write(ctx, lipField(ctx, (v, s) => {
    const p = Math.sqrt(profile(s));
    if (!LOWER_LIP.has(v)) return [0, 0, 0];
    return INNER_LOWER_SET.has(v) ? [0, -0.08 * mw * p, 0.05 * mw] : [0, -0.045 * mw * p, 0.03 * mw];
  }), 0.3 * mw, fields, FIELD.lowerLipTuck);
  write(ctx, lipField(ctx, (v, s) => {
    const p = profile(s);
    if (INNER_UPPER_SET.has(v) || INNER_LOWER_SET.has(v)) return [0, 0, 0];
    if (UPPER_LIP.has(v)) return [0, 0.025 * mw * p, 0];
    if (LOWER_LIP.has(v)) return [0, -0.025 * mw * p, 0];
    return [0, 0, 0];
  }), 0.3 * mw, fields, FIELD.lipsPress);

  const cornerWeight = (v: number, s: number): number => (CORNERS.has(v) ? 1 : Math.pow(Math.abs(s), 1.5));
  const up = lipField(ctx, (v, s) => {
    const w = cornerWeight(v, s);
    return [0.1 * mw * Math.sign(s) * w, -0.09 * mw * w - (UPPER_LIP.has(v) ? 0.01 * mw * (1 - w) : 0), 0.03 * mw * w];
  });
  for (const v of CHEEKS) up.set(v, frameDisplacement(ctx.frame, 0.02 * mw * Math.sign(mouthS(ctx, v)), -0.04 * mw, 0));
  write(ctx, up, 0.55 * mw, fields, FIELD.smileUp);
  write(ctx, lipField(ctx, (v, s) => {
    const w = cornerWeight(v, s);
    return [-0.02 * mw * Math.sign(s) * w, 0.07 * mw * w, 0];
  }), 0.5 * mw, fields, FIELD.smileDown);
}

function browControls(ctx: FieldContext, brow: (v: number) => [number, number], crease: [number, number]): Map<number, Displacement> {
  const controls = new Map<number, Displacement>();
  for (const v of EYES_AND_NOSE_PINS) controls.set(v, [0, 0, 0]);
  for (const v of [...EYE_R_UPPER, ...EYE_L_UPPER]) controls.set(v, frameDisplacement(ctx.frame, 0, crease[1] * 0.3, 0));
  for (const v of [...EYE_R_CREASE2, ...EYE_L_CREASE2]) controls.set(v, frameDisplacement(ctx.frame, 0, crease[1], 0));
  for (const v of [...BROW_R, ...BROW_L]) {
    const [du, dv] = brow(v);
    controls.set(v, frameDisplacement(ctx.frame, du, dv, 0));
  }
  return controls;
}

function browFields(ctx: FieldContext, fields: Float32Array): void {
  const e = ctx.frame.eyeDistance;
  const towardsMiddle = (v: number): number => -Math.sign(mouthS(ctx, v));
  write(ctx, browControls(ctx, () => [0, -0.13 * e], [0, -0.05 * e]), 0.45 * e, fields, FIELD.browUp);
  write(ctx, browControls(ctx, (v) => [BROW_INNER.has(v) ? 0.02 * e * towardsMiddle(v) : 0, 0.07 * e], [0, 0.03 * e]), 0.4 * e, fields, FIELD.browDown);
  write(ctx, browControls(ctx, (v) => {
    const w = BROW_INNER.has(v) ? 1 : BROW_MIDDLE.has(v) ? 0.5 : 0.1;
    return [0.07 * e * w * towardsMiddle(v), 0.035 * e * w];
  }, [0, 0]), 0.35 * e, fields, FIELD.browFurrow);
}

/** Lid opening field: the upper lid moves up by its distance to the lower lid per unit of (negative) blink. */
function eyeOpenField(ctx: FieldContext, upper: readonly number[], lower: readonly number[], crease: readonly number[], crease2: readonly number[], closed: number, fields: Float32Array, field: number): void {
  const controls = new Map<number, Displacement>();
  for (const v of [...lower, ...EYES_AND_NOSE_PINS]) controls.set(v, [0, 0, 0]);
  const scale = 1 / Math.max(0.2, 1 - closed);
  for (let k = 1; k < upper.length - 1; k++) {
    const u = upper[k]!;
    const l = lower[k]!;
    const dx = (ctx.rest[u * 3]! - ctx.rest[l * 3]!) * scale;
    const dy = (ctx.rest[u * 3 + 1]! - ctx.rest[l * 3 + 1]!) * scale;
    controls.set(u, [dx, dy, 0]);
    controls.set(crease[k]!, [dx * 0.4, dy * 0.4, 0]);
    controls.set(crease2[k]!, [dx * 0.15, dy * 0.15, 0]);
  }
  controls.set(upper[0]!, [0, 0, 0]);
  controls.set(upper[upper.length - 1]!, [0, 0, 0]);
  write(ctx, controls, 0.25 * ctx.frame.eyeDistance, fields, field);
}

/**
 * Builds every displacement field for one portrait. `closedRight`/`closedLeft` are the estimated lid closures of
 * the source, used to scale the opening fields.
 */
export function buildBlendshapes(rest: Float32Array, vertexCount: number, frame: FaceFrame, closedRight: number, closedLeft: number): Float32Array {
  const fields = new Float32Array(FIELD_COUNT * vertexCount * 3);
  const u = (v: number): number => (rest[v * 3]! - frame.originX) * frame.exX + (rest[v * 3 + 1]! - frame.originY) * frame.exY;
  const ctx: FieldContext = { frame, rest, vertexCount, mouthU: (u(61) + u(291)) / 2, halfWidth: frame.mouthWidth / 2 };
  mouthFields(ctx, fields);
  browFields(ctx, fields);
  eyeOpenField(ctx, EYE_L_UPPER, EYE_L_LOWER, EYE_L_CREASE, EYE_L_CREASE2, closedLeft, fields, FIELD.openLeftEye);
  eyeOpenField(ctx, EYE_R_UPPER, EYE_R_LOWER, EYE_R_CREASE, EYE_R_CREASE2, closedRight, fields, FIELD.openRightEye);
  return fields;
}
