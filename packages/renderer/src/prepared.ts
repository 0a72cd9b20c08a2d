import type { FaceFrame } from './geometry/face-frame.ts';
import type { MouthColours } from './paint/colour-samples.ts';
import type { EyeColours } from './paint/eyes.ts';

/** Per-eye data of a prepared portrait. */
export interface PreparedEye {
  upper: number[];
  lower: number[];
  iris: number;
  irisRadius: number;
  /** Motion channel of this eye's lid. */
  blinkChannel: number;
  /** Displacement field that opens this eye's lid. */
  openField: number;
  colours: EyeColours;
}

/**
 * Everything the renderer needs for one portrait, as plain data (numbers, arrays and typed arrays) so that it can
 * be posted to worker threads (typed-array buffers can be transferred) and turned back into a renderer with
 * `createMeshwarpRendererFromPrepared`.
 */
export interface PreparedMeshwarp {
  format: 'portrait-farm-meshwarp/1';
  width: number;
  height: number;
  /** Source RGB, width * height * 3. */
  image: Uint8Array;
  vertexCount: number;
  rest: Float32Array;
  triangles: Uint16Array;
  ringTriangleCount: number;
  eyeTriangleCount: number;
  alpha: Float32Array;
  headWeight: Float32Array;
  fields: Float32Array;
  jawWeight: Float32Array;
  jawPivotV: number;
  jawPivotZ: number;
  jawRadiansPerUnit: number;
  frame: FaceFrame;
  headPivot: [number, number, number];
  /**
   * Depth relative to the head pivot used by the head rotation: 0 on the face oval and the rings (the silhouette
   * stays where it is while the surface turns inside it), the landmark depth further inside.
   */
  rotationDepth: Float32Array;
  faceWidth: number;
  neutral: Float32Array;
  /** Lip-seal bookkeeping: per inner-lip pair gap contribution of jaw_open, lips_part and upper_lip_raise. */
  sealGap: Float32Array;
  /** Gap of each inner-lip pair in the source, pixels along the face frame's `ey`. */
  sourceGaps: Float32Array;
  /** Lip vertices moved by the seal, their side (-1 upper, 1 lower), pair index and interpolation weight. */
  sealVertices: Uint16Array;
  sealSide: Int8Array;
  sealPair: Uint8Array;
  sealT: Float32Array;
  eyes: PreparedEye[];
  colours: MouthColours;
  mouthInterior: boolean;
  paintEyes: boolean;
  /** The clip's constant head distance (log scale), shown as a camera zoom (`MeshwarpOptions.headDistance`). */
  headDistance: number;
}
