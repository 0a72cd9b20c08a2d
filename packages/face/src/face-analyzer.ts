import { existsSync } from 'node:fs';
import { createModelSession, type ModelSession } from '@portrait-farm/model-runtime';
import { invertAffine } from './affine.ts';
import {
  resolveAnalyzerOptions,
  type AnalyzeOptions,
  type FaceAnalyzerOptions,
  type FaceModelRole,
  type ResolvedFaceAnalyzerOptions,
} from './analyzer-options.ts';
import { CROP_SIZE, cropTransform } from './crop-transform.ts';
import { decodeImage, type RgbImage } from './decode-image.ts';
import { describeSource, FaceError, faceNotFound } from './errors.ts';
import { LANDMARK_COUNT, type FaceAnalysis } from './face-analysis.ts';
import { FaceDetector, hardNms, weightedNms, type Box, type Detection } from './face-detector.ts';
import { FULL_RANGE_LAYOUT, SHORT_RANGE_LAYOUT } from './anchors.ts';
import { ImagePyramid } from './image-pyramid.ts';
import { regionFromBox, regionFromDetection, regionFromMesh } from './face-regions.ts';
import { refineEyes } from './iris.ts';
import { MESH_POINTS, runMesh, type MeshPass } from './landmark-models.ts';

/** A loaded face analyzer; `close` frees its model threads. */
export interface FaceAnalyzer {
  /** Analyses the face of a portrait given as a path, the file's bytes, or a decoded RGB image. */
  analyze(source: string | Uint8Array | RgbImage, options?: AnalyzeOptions): Promise<FaceAnalysis>;
  close(): Promise<void>;
}

function isRgbImage(value: unknown): value is RgbImage {
  return typeof value === 'object' && value !== null && 'data' in value && 'width' in value && !(value instanceof Uint8Array);
}

/** Loads the face models (each in its own inference thread) and returns an analyzer. */
export async function createFaceAnalyzer(options: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const settings = resolveAnalyzerOptions(options);
  for (const [role, path] of Object.entries(settings.modelPaths)) {
    if (!existsSync(path)) {
      throw new FaceError('FACE_MODELS_MISSING', `Face model "${role}" not found: no file at ${path}.`);
    }
  }
  const open = (role: FaceModelRole): Promise<ModelSession> =>
    createModelSession(settings.modelPaths[role], {
      ...(settings.providers === null ? {} : { providers: settings.providers }),
      log: settings.log,
    });
  const opened = await Promise.allSettled([open('detector'), open('detectorFull'), open('mesh'), open('iris')]);
  const sessions = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const [shortSession, fullSession, meshSession, irisSession] = sessions;
  if (shortSession === undefined || fullSession === undefined || meshSession === undefined || irisSession === undefined) {
    await Promise.all(sessions.map((s) => s.close()));
    throw opened.find((o) => o.status === 'rejected')?.reason;
  }
  const detectors = [new FaceDetector(shortSession, SHORT_RANGE_LAYOUT), new FaceDetector(fullSession, FULL_RANGE_LAYOUT)];
  let closed = false;

  /**
   * Both detectors (near faces, and small faces in big photos), boxes merged; with `searchUpsideDown` also on
   * the image turned by 180 degrees, where the better scoring reading of each face wins (the detector takes an
   * upside-down face for an upright one with a lower score, and the mesh model cannot tell).
   */
  const detectAll = async (image: ImagePyramid): Promise<Detection[]> => {
    const detectorSettings = { minScore: settings.minDetectionScore, overlap: DETECTION_OVERLAP };
    const turns = settings.searchUpsideDown ? [0, 2] : [0];
    const found = await Promise.all(
      turns.map(async (turn) => {
        const both = await Promise.all(detectors.map((d) => d.detect(image, detectorSettings, turn)));
        return weightedNms(both.flat(), DETECTION_OVERLAP);
      }),
    );
    return hardNms(found.flat(), DETECTION_OVERLAP);
  };

  return {
    async analyze(source, analyzeOptions = {}) {
      if (closed) throw new FaceError('FACE_ANALYZER_CLOSED', 'The face analyzer is closed; create a new one.');
      const name = isRgbImage(source) ? 'the portrait' : describeSource(source);
      const image = isRgbImage(source) ? source : await decodeImage(source);
      const pyramid = new ImagePyramid(image);
      const first = await firstPass(pyramid, name, analyzeOptions, settings, meshSession, detectAll);
      let pass = first.pass;
      for (let i = 0; i < settings.refinePasses; i++) pass = await runMesh(meshSession, pyramid, regionFromMesh(pass.points, MESH_POINTS));
      const landmarks = new Float32Array(LANDMARK_COUNT * 3);
      landmarks.set(pass.points);
      await refineEyes(irisSession, pyramid, landmarks);
      const toCrop = cropTransform(landmarks);
      return {
        imageWidth: image.width,
        imageHeight: image.height,
        box: meshBounds(pass.points),
        score: Math.max(first.detectionScore, pass.presence),
        landmarks,
        crop: { size: CROP_SIZE, toCrop, toImage: invertAffine(toCrop) },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(sessions.map((s) => s.close()));
    },
  };
}

/** The chosen face's first mesh pass, and the detector's probability for it (0 for a passed box). */
interface FirstPass {
  pass: MeshPass;
  detectionScore: number;
}

/** Most detections checked by the mesh model per portrait (the highest scoring ones). */
const MAX_CANDIDATES = 8;
/** IoU above which two detections are the same face. */
const DETECTION_OVERLAP = 0.3;

async function firstPass(
  pyramid: ImagePyramid,
  name: string,
  options: AnalyzeOptions,
  settings: ResolvedFaceAnalyzerOptions,
  mesh: ModelSession,
  detectAll: (image: ImagePyramid) => Promise<Detection[]>,
): Promise<FirstPass> {
  const { image } = pyramid;
  if (options.faceBox !== undefined) {
    const box = validateBox(options.faceBox, image);
    return { pass: await runMesh(mesh, pyramid, regionFromBox(box)), detectionScore: 0 };
  }
  const faceIndex = options.faceIndex ?? 0;
  if (!Number.isInteger(faceIndex) || faceIndex < 0) {
    throw new FaceError('FACE_INDEX_OUT_OF_RANGE', `faceIndex must be a whole number from 0. Passed: ${faceIndex}`);
  }
  const candidates = (await detectAll(pyramid)).sort((p, q) => q.score - p.score).slice(0, MAX_CANDIDATES);
  // A detection is a face when the mesh model agrees, or when the detector is sure on its own
  // (the mesh model doubts drawings and paintings that the detector accepts).
  const passes = await Promise.all(candidates.map((d) => runMesh(mesh, pyramid, regionFromDetection(d))));
  const faces: FirstPass[] = [];
  candidates.forEach((detection, i) => {
    const pass = passes[i];
    if (pass !== undefined && (pass.presence >= settings.minPresence || detection.score >= settings.sureDetectionScore)) {
      faces.push({ pass, detectionScore: detection.score });
    }
  });
  if (faces.length === 0) throw faceNotFound(name, image.width, image.height);
  faces.sort((p, q) => q.pass.region.size - p.pass.region.size);
  const face = faces[faceIndex];
  if (face === undefined) {
    throw new FaceError(
      'FACE_INDEX_OUT_OF_RANGE',
      `faceIndex ${faceIndex} is out of range: ${faces.length} face${faces.length === 1 ? '' : 's'} ` +
        `found in ${name}, so faceIndex must be between 0 and ${faces.length - 1} (0 = largest).`,
    );
  }
  return face;
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
