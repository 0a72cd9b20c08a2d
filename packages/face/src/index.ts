export { createFaceAnalyzer } from './face-analyzer.ts';
export { FACE_MODEL_FILES } from './analyzer-options.ts';
export type { FaceAnalyzer, FaceCheckWording } from './face-analyzer.ts';
export {
  API_FACE_OPTION_NAMES,
  checkFaceBoxSize,
  chooseFace,
  describeFaces,
  DOMINANT_AREA_RATIO,
  FACE_OPTION_NAMES,
  faceNotFound,
  MIN_FACE_WIDTH,
} from './face-choice.ts';
export type { FaceOptionNames, FoundFace, PortraitFacts } from './face-choice.ts';
export type { AnalyzeOptions, FaceAnalyzerOptions, FaceModelRole } from './analyzer-options.ts';
export { LANDMARK_COUNT } from './face-analysis.ts';
export type { FaceAnalysis } from './face-analysis.ts';
export type { Box } from './face-detector.ts';
export { decodeImage } from './decode-image.ts';
export type { DecodeImageOptions, RgbImage } from './decode-image.ts';
export { applyAffine, composeAffine, invertAffine } from './affine.ts';
export type { Affine } from './affine.ts';
export { warpToCrop } from './warp-to-crop.ts';
export type { WarpOptions } from './warp-to-crop.ts';
export { CROP_SIZE, CROP_EYE_HEIGHT, CROP_FACE_WIDTH } from './crop-transform.ts';
export { FaceError, FACE_ERRORS, isFaceError } from './errors.ts';
export type { FaceErrorCode } from './errors.ts';
