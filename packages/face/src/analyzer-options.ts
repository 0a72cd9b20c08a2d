import { join } from 'node:path';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import type { Box } from './face-detector.ts';

/** Options of {@link createFaceAnalyzer}. */
export interface FaceAnalyzerOptions {
  /**
   * Folder holding face_detector.onnx, face_detector_full.onnx, face_landmarks.onnx and iris_landmarks.onnx. The
   * library knows no location of its own: pass this, or every file in `modelFiles` (a model pack's `face` section).
   */
  modelsDir?: string;
  /**
   * Paths of single model files (for example a model pack manifest's `face` section), each overriding the file
   * of that name in `modelsDir`.
   * @defaultValue none
   */
  modelFiles?: Partial<Record<FaceModelRole, string>>;
  /**
   * Execution providers to try, in order.
   * @defaultValue the model runtime's default (PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu)
   */
  providers?: ExecutionProvider[];
  /**
   * Receives one line per model naming the provider that runs it.
   * @defaultValue none
   */
  log?: (line: string) => void;
  /**
   * Lowest detector probability for a face to count.
   * @defaultValue 0.5
   */
  minDetectionScore?: number;
  /**
   * Lowest face-presence probability of the mesh model for a detection to count as a face (true faces score
   * above 0.99; false detections mostly below 0.5, a few up to 0.6).
   * @defaultValue 0.9
   */
  minPresence?: number;
  /**
   * Detector probability from which a detection counts as a face even when the mesh model doubts it
   * (it often does for drawings and paintings).
   * @defaultValue 0.75
   */
  sureDetectionScore?: number;
  /**
   * Also look for faces upside down (the image turned by 180 degrees; costs two more detector runs).
   * Faces turned by up to about 90 degrees are found either way.
   * @defaultValue true
   */
  searchUpsideDown?: boolean;
  /**
   * Mesh passes after the first, each cropped from the previous pass's landmarks (steadier across framings).
   * @defaultValue 2
   */
  refinePasses?: number;
}

/** The four face models by role, and their file names in `models/face`. */
export const FACE_MODEL_FILES = Object.freeze({
  detector: 'face_detector.onnx',
  detectorFull: 'face_detector_full.onnx',
  mesh: 'face_landmarks.onnx',
  iris: 'iris_landmarks.onnx',
});
export type FaceModelRole = keyof typeof FACE_MODEL_FILES;

/** {@link FaceAnalyzerOptions} with every field decided. */
export interface ResolvedFaceAnalyzerOptions {
  modelsDir: string | null;
  modelPaths: Readonly<Record<FaceModelRole, string>>;
  providers: ExecutionProvider[] | null;
  log: (line: string) => void;
  minDetectionScore: number;
  minPresence: number;
  sureDetectionScore: number;
  searchUpsideDown: boolean;
  refinePasses: number;
}

function probability(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new RangeError(`${name} must be between 0 and 1. Passed: ${value}`);
  }
  return value;
}

export function resolveAnalyzerOptions(options: FaceAnalyzerOptions): ResolvedFaceAnalyzerOptions {
  const refinePasses = options.refinePasses ?? 2;
  if (!Number.isInteger(refinePasses) || refinePasses < 0 || refinePasses > 5) {
    throw new RangeError(`refinePasses must be an integer between 0 and 5. Passed: ${refinePasses}`);
  }
  const modelsDir = options.modelsDir ?? null;
  const pathOf = (role: FaceModelRole): string => {
    const file = options.modelFiles?.[role] ?? (modelsDir === null ? undefined : join(modelsDir, FACE_MODEL_FILES[role]));
    if (file === undefined) throw new RangeError(`The face models' location is required: pass modelsDir, or modelFiles.${role}.`);
    return file;
  };
  const modelPaths = Object.freeze({ detector: pathOf('detector'), detectorFull: pathOf('detectorFull'), mesh: pathOf('mesh'), iris: pathOf('iris') });
  return Object.freeze({
    modelsDir,
    modelPaths,
    providers: options.providers ?? null,
    log: options.log ?? ((): void => {}),
    minDetectionScore: probability('minDetectionScore', options.minDetectionScore ?? 0.5),
    minPresence: probability('minPresence', options.minPresence ?? 0.9),
    sureDetectionScore: probability('sureDetectionScore', options.sureDetectionScore ?? 0.75),
    searchUpsideDown: options.searchUpsideDown ?? true,
    refinePasses,
  });
}

/** Options of one `analyze` call. */
export interface AnalyzeOptions {
  /**
   * Which detected face to analyse, counted from the largest (0).
   * @defaultValue 0
   */
  faceIndex?: number;
  /**
   * The face's box in image pixels, brow to chin; skips the detector (for faces it misses). The face should be
   * roughly upright (up to about 45 degrees of roll).
   * @defaultValue none (the detector finds the face)
   */
  faceBox?: Box;
}
