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
import { describeSource, FaceError } from './errors.ts';
import { checkFaceBoxSize, chooseFace, FACE_OPTION_NAMES, type FaceOptionNames, type FoundFace } from './face-choice.ts';
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
  /**
   * Finds the face `analyze` would animate and applies the same rules (face-choice.ts: none, several of similar
   * size, faceIndex out of range, too small), without the landmarks: the gateway's check at create. Throws FaceError.
   */
  checkFace(source: string | Uint8Array | RgbImage, options?: AnalyzeOptions, wording?: FaceCheckWording): Promise<FoundFace>;
  close(): Promise<void>;
}

/** How {@link FaceAnalyzer.checkFace}'s messages name the portrait and the options. */
export interface FaceCheckWording {
  /** @defaultValue the file's name, or "the portrait" */
  portraitName?: string;
  /** @defaultValue {@link FACE_OPTION_NAMES} (the API's and the CLI's spelling) */
  names?: FaceOptionNames;
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

  const openPortrait = async (source: string | Uint8Array | RgbImage, name?: string): Promise<{ pyramid: ImagePyramid; name: string }> => {
    if (closed) throw new FaceError('FACE_ANALYZER_CLOSED', 'The face analyzer is closed; create a new one.');
    const image = isRgbImage(source) ? source : await decodeImage(source);
    return { pyramid: new ImagePyramid(image), name: name ?? (isRgbImage(source) ? 'the portrait' : describeSource(source)) };
  };

  return {
    async checkFace(source, analyzeOptions = {}, wording = {}) {
      const { pyramid, name } = await openPortrait(source, wording.portraitName);
      const names = wording.names ?? FACE_OPTION_NAMES;
      if (analyzeOptions.faceBox !== undefined) {
        const box = validateBox(analyzeOptions.faceBox, pyramid.image);
        checkFaceBoxSize(box, names);
        return { box, score: 0 };
      }
      const faces = await findFaces(pyramid, settings, meshSession, detectAll);
      const { face } = chooseFace(faces, analyzeOptions, { name, width: pyramid.image.width, height: pyramid.image.height }, names);
      return { box: face.box, score: face.score };
    },
    async analyze(source, analyzeOptions = {}) {
      const { pyramid, name } = await openPortrait(source);
      const { image } = pyramid;
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
    checkFaceBoxSize(box);
    return { pass: await runMesh(mesh, pyramid, regionFromBox(box)), detectionScore: 0 };
  }
  const faces = await findFaces(pyramid, settings, mesh, detectAll);
  const { face } = chooseFace(faces, options, { name, width: image.width, height: image.height });
  return { pass: face.pass, detectionScore: face.score };
}

/** A face the detectors found and the mesh model confirmed, with its first mesh pass. */
interface ConfirmedFace extends FoundFace {
  pass: MeshPass;
}

/** The faces in the portrait: the highest scoring detections that the mesh model confirms. */
async function findFaces(
  pyramid: ImagePyramid,
  settings: ResolvedFaceAnalyzerOptions,
  mesh: ModelSession,
  detectAll: (image: ImagePyramid) => Promise<Detection[]>,
): Promise<ConfirmedFace[]> {
  const candidates = (await detectAll(pyramid)).sort((p, q) => q.score - p.score).slice(0, MAX_CANDIDATES);
  // A detection is a face when the mesh model agrees, or when the detector is sure on its own
  // (the mesh model doubts drawings and paintings that the detector accepts).
  const passes = await Promise.all(candidates.map((d) => runMesh(mesh, pyramid, regionFromDetection(d))));
  const faces: ConfirmedFace[] = [];
  candidates.forEach((detection, i) => {
    const pass = passes[i];
    if (pass !== undefined && (pass.presence >= settings.minPresence || detection.score >= settings.sureDetectionScore)) {
      faces.push({ box: detection.box, score: detection.score, pass });
    }
  });
  return faces;
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
