import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts/constants';
import { FIELD, LOWER_LIP, UPPER_LIP, buildBlendshapes } from './deform/blendshapes.ts';
import { SEAL_CHANNELS, SEAL_PAIRS } from './deform/deform-mesh.ts';
import { JAW_GAP, buildJawModel } from './deform/jaw.ts';
import { estimateNeutral } from './deform/neutral-estimate.ts';
import { RendererError } from './errors.ts';
import { buildFaceFrame, eyeCentres } from './geometry/face-frame.ts';
import { LANDMARK_COUNT, buildFaceTopology } from './mesh/face-topology.ts';
import {
  EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER, FACE_OVAL, INNER_LOWER, INNER_UPPER,
} from './mesh/landmark-indices.ts';
import { type MeshwarpOptions, resolveOptions } from './options.ts';
import { sampleMouthColours } from './paint/colour-samples.ts';
import { sampleEyeColours } from './paint/eyes.ts';
import type { PreparedEye, PreparedMeshwarp } from './prepared.ts';

/** A portrait: RGB bytes, row-major, width * height * 3. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface MeshwarpInput {
  image: RgbImage;
  /** MediaPipe's 478 landmarks (x, y in the image's pixels, z relative depth in pixels, negative = closer). */
  landmarks: Float32Array;
  options?: MeshwarpOptions;
}

function validate(input: MeshwarpInput): void {
  const { width, height, data } = input.image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width > 8192 || height > 8192) {
    throw new RendererError('INVALID_IMAGE', `image size must be whole pixels between 16 and 8192, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RendererError('INVALID_IMAGE', `image data must hold width*height*3 = ${width * height * 3} RGB bytes, got ${data.length}`);
  }
  if (input.landmarks.length !== LANDMARK_COUNT * 3) {
    throw new RendererError('INVALID_LANDMARKS', `landmarks must hold 478*3 = 1434 values, got ${input.landmarks.length}`);
  }
  for (let i = 0; i < input.landmarks.length; i++) {
    if (!Number.isFinite(input.landmarks[i]!)) throw new RendererError('INVALID_LANDMARKS', `landmark value ${i} must be finite, got ${input.landmarks[i]}`);
  }
}

/** Which iris block (468.. or 473..) sits in which eye, by distance. */
function assignIrises(points: Float32Array): { right: number; left: number } {
  const { right } = eyeCentres(points);
  const dist = (i: number): number => Math.hypot(points[i * 3]! - right[0], points[i * 3 + 1]! - right[1]);
  return dist(468) <= dist(473) ? { right: 468, left: 473 } : { right: 473, left: 468 };
}

function irisRadius(points: Float32Array, centre: number): number {
  let sum = 0;
  for (let k = 1; k <= 4; k++) {
    sum += Math.hypot(points[(centre + k) * 3]! - points[centre * 3]!, points[(centre + k) * 3 + 1]! - points[centre * 3 + 1]!);
  }
  return sum / 4;
}

/**
 * Does all per-portrait work of the meshwarp renderer once: the warp mesh with its outer rings, the blendshape
 * fields, the jaw model, the neutral estimate and the colours for the painted parts. The result is plain data.
 */
export function prepareMeshwarp(input: MeshwarpInput): PreparedMeshwarp {
  validate(input);
  const options = resolveOptions(input.options);
  const { width, height, data } = input.image;
  const landmarks = input.landmarks;
  const topology = buildFaceTopology(landmarks, width, height);
  const frame = buildFaceFrame(landmarks);
  if (!(frame.eyeDistance > 2) || !(frame.eyeToChin > 2) || !(frame.mouthWidth > 1)) {
    throw new RendererError('INVALID_LANDMARKS', `landmarks must describe a face of at least a few pixels, got eye distance ${frame.eyeDistance.toFixed(2)} px`);
  }
  const jaw = buildJawModel(topology.rest, topology.vertexCount, topology.ring, frame);
  const irises = assignIrises(landmarks);

  // Unit gap of jaw_open at the lower-lip centre, for the neutral estimate.
  const jawGapPx = JAW_GAP * frame.eyeToChin;
  const neutral = estimateNeutral(landmarks, frame, jawGapPx, irises.right, irises.left);
  if (options.neutral !== null) {
    for (let c = 0; c < MOTION_CHANNEL_COUNT; c++) if (!Number.isNaN(options.neutral[c]!)) neutral[c] = options.neutral[c]!;
  }
  const fields = buildBlendshapes(topology.rest, topology.vertexCount, frame, neutral[CHANNEL.blink_r]!, neutral[CHANNEL.blink_l]!);

  // Lip seal bookkeeping.
  const vc = topology.vertexCount;
  const rest = topology.rest;
  const along = (v: number, dx: number, dy: number): number => dx * frame.eyX + dy * frame.eyY;
  const fieldGap = (field: number, u: number, l: number): number => {
    const base = field * vc * 3;
    return along(0, fields[base + l * 3]! - fields[base + u * 3]!, fields[base + l * 3 + 1]! - fields[base + u * 3 + 1]!);
  };
  const sealGap = new Float32Array(SEAL_PAIRS * SEAL_CHANNELS.length);
  const sourceGaps = new Float32Array(SEAL_PAIRS);
  const pairS = new Float64Array(SEAL_PAIRS);
  const mouthU0 = ((rest[61 * 3]! + rest[291 * 3]!) / 2 - frame.originX) * frame.exX + ((rest[61 * 3 + 1]! + rest[291 * 3 + 1]!) / 2 - frame.originY) * frame.exY;
  const sOf = (v: number): number => (((rest[v * 3]! - frame.originX) * frame.exX + (rest[v * 3 + 1]! - frame.originY) * frame.exY) - mouthU0) / (frame.mouthWidth / 2);
  for (let k = 0; k < SEAL_PAIRS; k++) {
    const u = INNER_UPPER[k + 1]!;
    const l = INNER_LOWER[k + 1]!;
    sourceGaps[k] = along(0, rest[l * 3]! - rest[u * 3]!, rest[l * 3 + 1]! - rest[u * 3 + 1]!);
    pairS[k] = (sOf(u) + sOf(l)) / 2;
    const row = k * SEAL_CHANNELS.length;
    // jaw_open: the lower lip's share of the rotation, linearised at one unit.
    const dvL = (rest[l * 3]! - frame.originX) * frame.eyX + (rest[l * 3 + 1]! - frame.originY) * frame.eyY - jaw.pivotV;
    const dzL = rest[l * 3 + 2]! - jaw.pivotZ;
    const a = jaw.radiansPerUnit;
    const jawL = (dvL * Math.cos(a) - dzL * Math.sin(a) - dvL) * jaw.weight[l]!;
    const dvU = (rest[u * 3]! - frame.originX) * frame.eyX + (rest[u * 3 + 1]! - frame.originY) * frame.eyY - jaw.pivotV;
    const dzU = rest[u * 3 + 2]! - jaw.pivotZ;
    const jawU = (dvU * Math.cos(a) - dzU * Math.sin(a) - dvU) * jaw.weight[u]!;
    sealGap[row] = jawL - jawU;
    sealGap[row + 1] = fieldGap(FIELD.lipsPart, u, l);
    sealGap[row + 2] = fieldGap(FIELD.upperLipRaise, u, l);
    sealGap[row + 3] = fieldGap(FIELD.mouthRound, u, l);
    // lower_lip_tuck brings the lower lip up to the upper teeth, not to the upper lip: it does not close the gap.
  }
  const moved = [...UPPER_LIP].map((v) => ({ v, side: -1 })).concat([...LOWER_LIP].map((v) => ({ v, side: 1 })));
  const sealVertices = new Uint16Array(2 * SEAL_PAIRS + moved.length);
  for (let k = 0; k < SEAL_PAIRS; k++) {
    sealVertices[k] = INNER_UPPER[k + 1]!;
    sealVertices[SEAL_PAIRS + k] = INNER_LOWER[k + 1]!;
  }
  const sealSide = new Int8Array(moved.length);
  const sealPair = new Uint8Array(moved.length);
  const sealT = new Float32Array(moved.length);
  moved.forEach(({ v, side }, i) => {
    sealVertices[2 * SEAL_PAIRS + i] = v;
    sealSide[i] = side;
    const s = sOf(v);
    let j = 0;
    while (j < SEAL_PAIRS - 2 && pairS[j + 1]! < s) j++;
    const span = pairS[j + 1]! - pairS[j]!;
    sealPair[i] = j;
    sealT[i] = span !== 0 ? Math.min(1, Math.max(0, (s - pairS[j]!) / span)) : 0;
  });

  const eyeContours = [
    { upper: [...EYE_R_UPPER], lower: [...EYE_R_LOWER], iris: irises.right, irisRadius: irisRadius(landmarks, irises.right), blinkChannel: CHANNEL.blink_r, openField: FIELD.openRightEye },
    { upper: [...EYE_L_UPPER].reverse(), lower: [...EYE_L_LOWER].reverse(), iris: irises.left, irisRadius: irisRadius(landmarks, irises.left), blinkChannel: CHANNEL.blink_l, openField: FIELD.openLeftEye },
  ];
  const eyes: PreparedEye[] = eyeContours.map((eye) => ({ ...eye, colours: sampleEyeColours(data, width, height, rest, eye) }));

  let cx = 0;
  let cy = 0;
  for (const v of FACE_OVAL) {
    cx += rest[v * 3]!;
    cy += rest[v * 3 + 1]!;
  }
  cx /= FACE_OVAL.length;
  cy /= FACE_OVAL.length;
  const faceWidth = Math.hypot(rest[454 * 3]! - rest[234 * 3]!, rest[454 * 3 + 1]! - rest[234 * 3 + 1]!);
  let pivotZ = 0;
  for (const v of FACE_OVAL) pivotZ += rest[v * 3 + 2]!;
  pivotZ /= FACE_OVAL.length;
  const rotationDepth = new Float32Array(vc);
  for (let v = 0; v < LANDMARK_COUNT; v++) {
    let nearest = Infinity;
    for (const o of FACE_OVAL) nearest = Math.min(nearest, Math.hypot(rest[v * 3]! - rest[o * 3]!, rest[v * 3 + 1]! - rest[o * 3 + 1]!));
    const t = Math.min(1, nearest / (0.12 * faceWidth));
    rotationDepth[v] = (rest[v * 3 + 2]! - pivotZ) * t * t * (3 - 2 * t);
  }

  return {
    format: 'portrait-farm-meshwarp/1',
    width,
    height,
    image: data,
    vertexCount: vc,
    rest,
    triangles: topology.triangles,
    ringTriangleCount: topology.ringTriangleCount,
    eyeTriangleCount: topology.eyeTriangleCount,
    alpha: topology.alpha,
    headWeight: topology.headWeight,
    fields,
    jawWeight: jaw.weight,
    jawPivotV: jaw.pivotV,
    jawPivotZ: jaw.pivotZ,
    jawRadiansPerUnit: jaw.radiansPerUnit,
    frame,
    headPivot: [cx, cy, pivotZ],
    rotationDepth,
    faceWidth,
    neutral,
    sealGap,
    sourceGaps,
    sealVertices,
    sealSide,
    sealPair,
    sealT,
    eyes,
    colours: sampleMouthColours(data, width, height, landmarks),
    mouthInterior: options.mouthInterior,
    paintEyes: options.eyes,
    headDistance: options.headDistance,
  };
}
