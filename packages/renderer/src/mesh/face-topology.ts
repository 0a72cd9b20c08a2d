import { CANONICAL_TRIANGLES } from './canonical-mesh.ts';
import { EYE_L_LOWER, EYE_L_UPPER, EYE_R_LOWER, EYE_R_UPPER, FACE_OVAL } from './landmark-indices.ts';

/** Landmarks per face (468 mesh points + 10 iris points). */
export const LANDMARK_COUNT = 478;

/** Scale of each outer ring around the face oval, relative to the oval's centre. */
export const RING_SCALES = Object.freeze([1.3, 1.75, 2.5]);

/** How much each ring follows head motion (the last ring is the fixed anchor ring). */
const RING_HEAD_WEIGHTS = [0.85, 0.35, 0];

export interface FaceTopology {
  vertexCount: number;
  /** x, y, z per vertex (landmarks first, then ring points), image pixels. */
  rest: Float32Array;
  /** Triangles in drawing order: rings, then the face from far to near. */
  triangles: Uint16Array;
  /** Number of leading triangles (the rings) that use per-vertex paste opacity. */
  ringTriangleCount: number;
  /** Number of eye-strip triangles drawn right after the rings. */
  eyeTriangleCount: number;
  /** Paste-back opacity per vertex. */
  alpha: Float32Array;
  /** Weight of head motion per vertex. */
  headWeight: Float32Array;
  /** 0 for landmarks, 1 + ring number for ring points. */
  ring: Uint8Array;
}

function isEyeTriangle(a: number, b: number, c: number, eye: Set<number>): boolean {
  return eye.has(a) && eye.has(b) && eye.has(c);
}

/**
 * Builds the warp mesh for one portrait: the canonical triangles over the 478 landmarks plus three rings of
 * control points around the face oval (hair, ears, neck) triangulated as quads, the last ring fixed and clamped
 * to the image.
 */
export function buildFaceTopology(landmarks: Float32Array, width: number, height: number): FaceTopology {
  const ovalCount = FACE_OVAL.length;
  const vertexCount = LANDMARK_COUNT + ovalCount * RING_SCALES.length;
  const rest = new Float32Array(vertexCount * 3);
  rest.set(landmarks.subarray(0, LANDMARK_COUNT * 3));
  // Every vertex opaque, the rings too: the warp itself fades into the untouched image between the last two rings,
  // since the last ring does not move, so the band between them stretches smoothly. Fading the opacity there as well
  // laid the moved hair or collar half over the unmoved one, a ghosted double edge, and a blended pixel costs more
  // than an opaque one (docs/performance.md, "The outer band opaque").
  const alpha = new Float32Array(vertexCount).fill(1);
  const headWeight = new Float32Array(vertexCount).fill(1);
  const ring = new Uint8Array(vertexCount);

  let cx = 0;
  let cy = 0;
  for (const i of FACE_OVAL) {
    cx += landmarks[i * 3]!;
    cy += landmarks[i * 3 + 1]!;
  }
  cx /= ovalCount;
  cy /= ovalCount;
  // The chin side of the rings covers the neck, which follows the head less than the hair does.
  const chinX = landmarks[152 * 3]! - cx;
  const chinY = landmarks[152 * 3 + 1]! - cy;
  const chinLength = Math.hypot(chinX, chinY) || 1;

  for (let r = 0; r < RING_SCALES.length; r++) {
    const scale = RING_SCALES[r]!;
    for (let k = 0; k < ovalCount; k++) {
      const o = FACE_OVAL[k]!;
      const v = LANDMARK_COUNT + r * ovalCount + k;
      const dx = landmarks[o * 3]! - cx;
      const dy = landmarks[o * 3 + 1]! - cy;
      // Kept 1.5 px inside the image so that bilinear samples never need clamping.
      rest[v * 3] = Math.min(width - 1.5, Math.max(1.5, cx + dx * scale));
      rest[v * 3 + 1] = Math.min(height - 1.5, Math.max(1.5, cy + dy * scale));
      rest[v * 3 + 2] = landmarks[o * 3 + 2]!;
      const towardsChin = Math.max(0, (dx * chinX + dy * chinY) / (Math.hypot(dx, dy) * chinLength || 1));
      headWeight[v] = RING_HEAD_WEIGHTS[r]! * (1 - 0.5 * towardsChin * towardsChin);
      ring[v] = r + 1;
    }
  }

  const ringTriangles: number[] = [];
  for (let r = 0; r < RING_SCALES.length; r++) {
    for (let k = 0; k < ovalCount; k++) {
      const k1 = (k + 1) % ovalCount;
      const inner0 = r === 0 ? FACE_OVAL[k]! : LANDMARK_COUNT + (r - 1) * ovalCount + k;
      const inner1 = r === 0 ? FACE_OVAL[k1]! : LANDMARK_COUNT + (r - 1) * ovalCount + k1;
      const outer0 = LANDMARK_COUNT + r * ovalCount + k;
      const outer1 = LANDMARK_COUNT + r * ovalCount + k1;
      ringTriangles.push(inner0, outer0, outer1, inner0, outer1, inner1);
    }
  }

  // Eye strips are drawn first (their content is redrawn by the eye pass when gaze or lids move), then the
  // face from the farthest triangle to the nearest so that folds under head rotation show the near surface.
  const rightEye = new Set<number>([...EYE_R_UPPER, ...EYE_R_LOWER]);
  const leftEye = new Set<number>([...EYE_L_UPPER, ...EYE_L_LOWER]);
  const eyeTriangles: number[] = [];
  const faceTriangles: { z: number; tri: [number, number, number] }[] = [];
  for (let t = 0; t < CANONICAL_TRIANGLES.length; t += 3) {
    const a = CANONICAL_TRIANGLES[t]!;
    const b = CANONICAL_TRIANGLES[t + 1]!;
    const c = CANONICAL_TRIANGLES[t + 2]!;
    if (isEyeTriangle(a, b, c, rightEye) || isEyeTriangle(a, b, c, leftEye)) {
      eyeTriangles.push(a, b, c);
      continue;
    }
    const z = (landmarks[a * 3 + 2]! + landmarks[b * 3 + 2]! + landmarks[c * 3 + 2]!) / 3;
    faceTriangles.push({ z, tri: [a, b, c] });
  }
  faceTriangles.sort((p, q) => q.z - p.z);
  const triangles = Uint16Array.from([...ringTriangles, ...eyeTriangles, ...faceTriangles.flatMap((f) => f.tri)]);
  return { vertexCount, rest, triangles, ringTriangleCount: ringTriangles.length / 3, eyeTriangleCount: eyeTriangles.length / 3, alpha, headWeight, ring };
}
