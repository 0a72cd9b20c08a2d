import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createModelSession, type ModelSession } from '@portrait-farm/model-runtime';
import { invertAffine } from './affine.ts';
import {
  resolveAnalyzerOptions,
  type AnalyzeOptions,
  type FaceAnalyzerOptions,
  type ResolvedFaceAnalyzerOptions,
} from './analyzer-options.ts';
import { CROP_SIZE, cropTransform } from './crop-transform.ts';
import { decodeImage, type RgbImage } from './decode-image.ts';
import { describeSource, FaceError, faceNotFound } from './errors.ts';
import { LANDMARK_COUNT, type FaceAnalysis } from './face-analysis.ts';
import { FaceDetector, type Box, type Detection } from './face-detector.ts';
import { FULL_RANGE_LAYOUT, SHORT_RANGE_LAYOUT } from './anchors.ts';
import { regionFromBox, regionFromDetection, regionFromMesh } from './face-regions.ts';
import { addIrises } from './iris.ts';
import { MESH_POINTS, runMesh, type MeshPass } from './landmark-models.ts';

/** A loaded face analyzer; `close` frees its model threads. */
export interface FaceAnalyzer {
  /** Analyses the face of a portrait given as a path, the file's bytes, or a decoded RGB image. */
  analyze(source: string | Uint8Array | RgbImage, options?: AnalyzeOptions): Promise<FaceAnalysis>;
  close(): Promise<void>;
}

export const FACE_MODEL_FILES = Object.freeze({
  detector: 'face_detector.onnx',
  detectorFull: 'face_detector_full.onnx',
  mesh: 'face_landmarks.onnx',
  iris: 'iris_landmarks.onnx',
});

function isRgbImage(value: unknown): value is RgbImage {
  return typeof value === 'object' && value !== null && 'data' in value && 'width' in value && !(value instanceof Uint8Array);
}

/** Loads the face models (each in its own inference thread) and returns an analyzer. */
export async function createFaceAnalyzer(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const settings = resolveAnalyzerOptions(options);
  for (const file of Object.values(FACE_MODEL_FILES)) {
    const path = join(settings.modelsDir, file);
    if (!existsSync(path)) {
      throw new FaceError('FACE_MODELS_MISSING', `Face model ${file} not found in ${settings.modelsDir} (looked for ${path}).`);
    }
  }
  const open = (file: string): Promise<ModelSession> =>
    createModelSession(join(settings.modelsDir, file), {
      ...(settings.providers === null ? {} : { providers: settings.providers }),
      log: settings.log,
    });
  const [detectorSession, meshSession, irisSession] = await Promise.all([
    open(FACE_MODEL_FILES.detector),
    open(FACE_MODEL_FILES.mesh),
    open(FACE_MODEL_FILES.iris),
  ]);
  const detector = new FaceDetector(detectorSession, SHORT_RANGE_LAYOUT);
  let fullDetector: Promise<FaceDetector> | null = null;
  const sessions: Array<Promise<ModelSession>> = [detectorSession, meshSession, irisSession].map((s) => Promise.resolve(s));
  let closed = false;

  const detectAll = async (image: RgbImage): Promise<Detection[]> => {
    const detectorSettings = { minScore: settings.minDetectionScore, overlap: 0.3 };
    const near = await detector.detect(image, detectorSettings);
    if (near.length > 0) return near;
    if (fullDetector === null) {
      const session = open(FACE_MODEL_FILES.detectorFull);
      sessions.push(session);
      fullDetector = session.then((s) => new FaceDetector(s, FULL_RANGE_LAYOUT));
    }
    return (await fullDetector).detect(image, detectorSettings);
  };

  return {
    async analyze(source, analyzeOptions = {}) {
      if (closed) throw new FaceError('FACE_ANALYZER_CLOSED', 'The face analyzer is closed; create a new one.');
      const name = isRgbImage(source) ? 'the portrait' : describeSource(source);
      const image = isRgbImage(source) ? source : await decodeImage(source);
      const first = await firstPass(image, name, analyzeOptions, settings, meshSession, detectAll);
      let pass = first;
      for (let i = 0; i < settings.refinePasses; i++) pass = await runMesh(meshSession, image, regionFromMesh(pass.points, MESH_POINTS));
      if (pass.presence < settings.minPresence) throw faceNotFound(name, image.width, image.height);
      const landmarks = new Float32Array(LANDMARK_COUNT * 3);
      landmarks.set(pass.points);
      await addIrises(irisSession, image, landmarks);
      const toCrop = cropTransform(landmarks);
      return {
        imageWidth: image.width,
        imageHeight: image.height,
        box: meshBounds(pass.points),
        score: pass.presence,
        landmarks,
        crop: { size: CROP_SIZE, toCrop, toImage: invertAffine(toCrop) },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = await Promise.allSettled(sessions);
      await Promise.all(all.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    },
  };
}

async function firstPass(
  image: RgbImage,
  name: string,
  options: AnalyzeOptions,
  settings: ResolvedFaceAnalyzerOptions,
  mesh: ModelSession,
  detectAll: (image: RgbImage) => Promise<Detection[]>,
): Promise<MeshPass> {
  if (options.faceBox !== undefined) {
    const box = validateBox(options.faceBox, image);
    // No rotation is known for a passed box: try the four upright turns and keep the most face-like.
    let best: MeshPass | null = null;
    for (const quarter of [0, 1, 2, 3]) {
      const pass = await runMesh(mesh, image, regionFromBox(box, (quarter * Math.PI) / 2));
      if (best === null || pass.presence > best.presence) best = pass;
    }
    if (best === null || best.presence < settings.minPresence) {
      throw new FaceError(
        'FACE_NOT_FOUND',
        `No face inside the box ${formatBox(box)} of ${name} (${image.width}x${image.height}): the landmark model ` +
          `gave it a face probability of ${(best?.presence ?? 0).toFixed(2)}, below ${settings.minPresence}. ` +
          `Pass a box that frames the face from brow to chin.`,
      );
    }
    return best;
  }
  const faceIndex = options.faceIndex ?? 0;
  if (!Number.isInteger(faceIndex) || faceIndex < 0) {
    throw new FaceError('FACE_INDEX_OUT_OF_RANGE', `faceIndex must be a whole number from 0. Passed: ${faceIndex}`);
  }
  const detections = await detectAll(image);
  if (detections.length === 0) throw faceNotFound(name, image.width, image.height);
  const detection = detections[faceIndex];
  if (detection === undefined) {
    throw new FaceError(
      'FACE_INDEX_OUT_OF_RANGE',
      `faceIndex ${faceIndex} is out of range: ${detections.length} face${detections.length === 1 ? '' : 's'} ` +
        `found in ${name}, so faceIndex must be between 0 and ${detections.length - 1} (0 = largest).`,
    );
  }
  const pass = await runMesh(mesh, image, regionFromDetection(detection));
  if (pass.presence < settings.minPresence) throw faceNotFound(name, image.width, image.height);
  return pass;
}

function formatBox(box: Box): string {
  return `${box.x},${box.y},${box.width},${box.height}`;
}

function validateBox(box: Box, image: RgbImage): Box {
  const values = [box.x, box.y, box.width, box.height];
  const overlaps =
    box.x < image.width && box.y < image.height && box.x + box.width > 0 && box.y + box.height > 0;
  if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v)) || box.width <= 0 || box.height <= 0 || !overlaps) {
    throw new FaceError(
      'FACE_BOX_INVALID',
      `faceBox must be x,y,width,height in pixels with positive width and height, overlapping the ` +
        `${image.width}x${image.height} image. Passed: ${values.join(',')}`,
    );
  }
  return box;
}

function meshBounds(points: Float32Array): Box {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < MESH_POINTS; i++) {
    const x = points[i * 3] ?? 0;
    const y = points[i * 3 + 1] ?? 0;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}
