import { CHANNEL, pressSeal } from '@portrait-farm/contracts/constants';
import type { PreparedMeshwarp } from '../prepared.ts';
import { FIELD } from './blendshapes.ts';

/** Channels whose fields open or close the inner lips, in the column order of `sealGap`. */
export const SEAL_CHANNELS = Object.freeze([
  CHANNEL.jaw_open, CHANNEL.lips_part, CHANNEL.upper_lip_raise, CHANNEL.mouth_round,
]);
export const SEAL_PAIRS = 9;
/** Index of the centre pair (landmarks 13/14). */
const CENTRE_PAIR = 4;

/** Scratch buffers of one renderer, reused across frames. */
export interface DeformScratch {
  pos: Float32Array;
  gapModel: Float64Array;
  correction: Float64Array;
}

export function createDeformScratch(prepared: PreparedMeshwarp): DeformScratch {
  return {
    pos: new Float32Array(prepared.vertexCount * 3),
    gapModel: new Float64Array(SEAL_PAIRS),
    correction: new Float64Array(SEAL_PAIRS),
  };
}

/**
 * Adds field `field` times (`value` - `neutral`). The subtraction is here, shared by every call, so that V8 records
 * its operands as doubles from the first frame (most calls pass motion values). The smile and brow halves are the
 * integer 0 while the face rests: subtracted by their own call sites, they would be recorded as small integers, and
 * the optimised deformMesh would be thrown away and compiled again when they first move.
 */
function addField(pos: Float32Array, fields: Float32Array, field: number, size: number, value: number, neutral: number): void {
  const coef = value - neutral;
  if (coef === 0) return;
  const base = field * size;
  for (let i = 0; i < size; i++) pos[i] = pos[i]! + fields[base + i]! * coef;
}

const pos0 = (x: number): number => (x > 0 ? x : 0);
const neg0 = (x: number): number => (x < 0 ? -x : 0);

/** Model gap of every inner-lip pair for motion `m` (pixels, before the seal). */
function modelGaps(p: PreparedMeshwarp, m: Float32Array, out: Float64Array): void {
  const open = 1 - pressSeal(m[CHANNEL.lips_press]!);
  for (let k = 0; k < SEAL_PAIRS; k++) {
    let g = 0;
    for (let c = 0; c < SEAL_CHANNELS.length; c++) g += m[SEAL_CHANNELS[c]!]! * p.sealGap[k * SEAL_CHANNELS.length + c]!;
    out[k] = Math.max(0, g) * open;
  }
}

/**
 * Deformed vertex positions for one frame of absolute motion `m`: blendshape fields by (target - neutral), the jaw
 * rotation, the lip seal (the inner-lip gap follows the model, exactly closed when jaw, lips_part and the other
 * opening channels are 0 or lips_press is 1), then the 3D head rotation, scale and translation.
 */
export function deformMesh(p: PreparedMeshwarp, m: Float32Array, scratch: DeformScratch, neutralGaps: Float64Array): Float32Array {
  const { pos, gapModel, correction } = scratch;
  const n = p.neutral;
  const size = p.vertexCount * 3;
  pos.set(p.rest);
  const channel = (field: number, c: number): void => addField(pos, p.fields, field, size, m[c]!, n[c]!);
  channel(FIELD.lipsPart, CHANNEL.lips_part);
  channel(FIELD.mouthWide, CHANNEL.mouth_wide);
  channel(FIELD.mouthRound, CHANNEL.mouth_round);
  channel(FIELD.upperLipRaise, CHANNEL.upper_lip_raise);
  channel(FIELD.lowerLipTuck, CHANNEL.lower_lip_tuck);
  channel(FIELD.lipsPress, CHANNEL.lips_press);
  const smile = m[CHANNEL.smile]!;
  const smile0 = n[CHANNEL.smile]!;
  addField(pos, p.fields, FIELD.smileUp, size, pos0(smile), pos0(smile0));
  addField(pos, p.fields, FIELD.smileDown, size, neg0(smile), neg0(smile0));
  const brow = m[CHANNEL.brow_raise]!;
  const brow0 = n[CHANNEL.brow_raise]!;
  addField(pos, p.fields, FIELD.browUp, size, pos0(brow), pos0(brow0));
  addField(pos, p.fields, FIELD.browDown, size, neg0(brow), neg0(brow0));
  channel(FIELD.browFurrow, CHANNEL.brow_furrow);
  // Opening by (neutral - blink): a blink closes the eye.
  for (const eye of p.eyes) addField(pos, p.fields, eye.openField, size, n[eye.blinkChannel]!, m[eye.blinkChannel]!);

  const f = p.frame;
  const angle = (m[CHANNEL.jaw_open]! - n[CHANNEL.jaw_open]!) * p.jawRadiansPerUnit;
  if (angle !== 0) {
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let v = 0; v < p.vertexCount; v++) {
      const w = p.jawWeight[v]!;
      if (w === 0) continue;
      const x = pos[v * 3]!;
      const y = pos[v * 3 + 1]!;
      const dv = (x - f.originX) * f.eyX + (y - f.originY) * f.eyY - p.jawPivotV;
      const dz = pos[v * 3 + 2]! - p.jawPivotZ;
      const moveV = (dv * cos - dz * sin - dv) * w;
      const moveZ = (dv * sin + dz * cos - dz) * w;
      pos[v * 3] = x + moveV * f.eyX;
      pos[v * 3 + 1] = y + moveV * f.eyY;
      pos[v * 3 + 2] = pos[v * 3 + 2]! + moveZ;
    }
  }

  // Lip seal: desired gap = model gap + the source's unexplained gap, faded out as the mouth closes.
  modelGaps(p, m, gapModel);
  const centreNeutral = neutralGaps[CENTRE_PAIR]!;
  const keep = centreNeutral > 1e-3 ? Math.min(1, gapModel[CENTRE_PAIR]! / centreNeutral) : 0;
  const upper = p.sealVertices;
  for (let k = 0; k < SEAL_PAIRS; k++) {
    const u = upper[k]!;
    const l = upper[SEAL_PAIRS + k]!;
    const gap = (pos[l * 3]! - pos[u * 3]!) * f.eyX + (pos[l * 3 + 1]! - pos[u * 3 + 1]!) * f.eyY;
    const residual = p.sourceGaps[k]! - neutralGaps[k]!;
    const desired = Math.max(0, gapModel[k]! + residual * keep);
    correction[k] = desired - gap;
  }
  for (let i = 0; i < p.sealSide.length; i++) {
    const v = p.sealVertices[2 * SEAL_PAIRS + i]!;
    const j = p.sealPair[i]!;
    const t = p.sealT[i]!;
    const c = (correction[j]! * (1 - t) + correction[Math.min(SEAL_PAIRS - 1, j + 1)]! * t) * 0.5 * p.sealSide[i]!;
    pos[v * 3] = pos[v * 3]! + c * f.eyX;
    pos[v * 3 + 1] = pos[v * 3 + 1]! + c * f.eyY;
  }

  applyHeadPose(p, m, pos);
  return pos;
}

/** Model gaps at the neutral motion (computed once per renderer). */
export function neutralModelGaps(p: PreparedMeshwarp): Float64Array {
  const out = new Float64Array(SEAL_PAIRS);
  modelGaps(p, p.neutral, out);
  return out;
}

function applyHeadPose(p: PreparedMeshwarp, m: Float32Array, pos: Float32Array): void {
  const yaw = (m[CHANNEL.head_yaw]! * Math.PI) / 180;
  const pitch = (m[CHANNEL.head_pitch]! * Math.PI) / 180;
  const roll = (m[CHANNEL.head_roll]! * Math.PI) / 180;
  const tx = m[CHANNEL.head_tx]! * p.faceWidth;
  const ty = m[CHANNEL.head_ty]! * p.faceWidth;
  const scale = Math.exp(m[CHANNEL.head_scale]!);
  if (yaw === 0 && pitch === 0 && roll === 0 && tx === 0 && ty === 0 && scale === 1) return;
  const [px, py] = p.headPivot;
  const cy = Math.cos(yaw), sy = Math.sin(yaw);
  const cp = Math.cos(pitch), sp = Math.sin(pitch);
  const cr = Math.cos(roll), sr = Math.sin(roll);
  for (let v = 0; v < p.vertexCount; v++) {
    const w = p.headWeight[v]!;
    if (w === 0) continue;
    const x = pos[v * 3]! - px;
    const y = pos[v * 3 + 1]! - py;
    const z = p.rotationDepth[v]! + pos[v * 3 + 2]! - p.rest[v * 3 + 2]!;
    // Yaw about the vertical axis, pitch about the horizontal axis, roll in the image plane.
    const x1 = x * cy - z * sy;
    const z1 = x * sy + z * cy;
    const y2 = y * cp - z1 * sp;
    const z2 = y * sp + z1 * cp;
    const x3 = x1 * cr - y2 * sr;
    const y3 = x1 * sr + y2 * cr;
    const nx = px + x3 * scale + tx;
    const ny = py + y3 * scale + ty;
    const nz = pos[v * 3 + 2]! + z2 * scale - z;
    pos[v * 3] = pos[v * 3]! + (nx - pos[v * 3]!) * w;
    pos[v * 3 + 1] = pos[v * 3 + 1]! + (ny - pos[v * 3 + 1]!) * w;
    pos[v * 3 + 2] = pos[v * 3 + 2]! + (nz - pos[v * 3 + 2]!) * w;
  }
}
