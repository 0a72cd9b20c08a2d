import type { ModelSession } from '@portrait-farm/model-runtime';
import { applyAffine, squareToImage, type RotatedSquare } from './affine.ts';
import type { ImagePyramid } from './image-pyramid.ts';

export const MESH_POINTS = 468;
const MESH_INPUT = 192;
const IRIS_INPUT = 64;
export const IRIS_POINTS = 5;

/** One pass of the mesh model: 468 points (x, y in image px, z in px) and the face-presence probability. */
export interface MeshPass {
  points: Float32Array;
  presence: number;
  region: RotatedSquare;
}

function floatOutput(session: ModelSession, outputs: Record<string, { data: unknown }>, index: number): Float32Array {
  const name = session.outputs[index]?.name ?? '';
  const data = outputs[name]?.data;
  if (!(data instanceof Float32Array)) throw new Error(`${session.path}: output ${index} (${name}) is not float32`);
  return data;
}

/** Maps `count` model-space points (x, y, z in crop pixels of an `n`-pixel crop) into image pixels. */
function projectPoints(raw: Float32Array, count: number, region: RotatedSquare, n: number, mirror: boolean): Float32Array {
  const toImage = squareToImage(region, n, mirror);
  const zScale = region.size / n;
  const points = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const [x, y] = applyAffine(toImage, raw[i * 3] ?? 0, raw[i * 3 + 1] ?? 0);
    points[i * 3] = x;
    points[i * 3 + 1] = y;
    points[i * 3 + 2] = (raw[i * 3 + 2] ?? 0) * zScale;
  }
  return points;
}

/** Runs the 468-point mesh model on a rotated square region of the image. */
export async function runMesh(session: ModelSession, image: ImagePyramid, region: RotatedSquare): Promise<MeshPass> {
  const input = await image.sample({ size: MESH_INPUT, toImage: squareToImage(region, MESH_INPUT), range: [0, 1], border: 'replicate' });
  const outputs = await session.run({ [session.inputs[0]?.name ?? 'input_1']: { data: input, dims: [1, MESH_INPUT, MESH_INPUT, 3] } });
  const raw = floatOutput(session, outputs, 0);
  const flag = floatOutput(session, outputs, 1)[0] ?? -100;
  return { points: projectPoints(raw, MESH_POINTS, region, MESH_INPUT, false), presence: 1 / (1 + Math.exp(-flag)), region };
}

/** Points of the iris model's eye-region output: eyelids, rings around the eye and the brow. */
export const EYE_REGION_POINTS = 71;

/** One eye from the iris model, in image pixels (z in px, relative to the eye crop's centre). */
export interface EyePass {
  /** 71 x 3: eyelid contours, four rings around the eye, the brow (MediaPipe's order). */
  region: Float32Array;
  /** 5 x 3: iris centre, then four boundary points. */
  iris: Float32Array;
}

/** Runs the iris model on one eye. The model knows image-left eyes only; the other eye is mirrored in and out. */
export async function runIris(session: ModelSession, image: ImagePyramid, region: RotatedSquare, mirror: boolean): Promise<EyePass> {
  const toImage = squareToImage(region, IRIS_INPUT, mirror);
  const input = await image.sample({ size: IRIS_INPUT, toImage, range: [0, 1], border: 'replicate' });
  const outputs = await session.run({ [session.inputs[0]?.name ?? 'input_1']: { data: input, dims: [1, IRIS_INPUT, IRIS_INPUT, 3] } });
  return {
    region: projectPoints(floatOutput(session, outputs, 0), EYE_REGION_POINTS, region, IRIS_INPUT, mirror),
    iris: projectPoints(floatOutput(session, outputs, 1), IRIS_POINTS, region, IRIS_INPUT, mirror),
  };
}
