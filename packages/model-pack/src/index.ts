export { loadModelPack } from './load-model-pack.ts';
export type { LoadModelPackOptions } from './load-model-pack.ts';
export { parseManifest, PACK_FORMAT, AUDIO_FRONTEND } from './parse-manifest.ts';
export { verifyDenoiserSignature, expectedDenoiserSignature } from './verify-denoiser-signature.ts';
export { sha256File } from './verify-files.ts';
export { PACK_ERRORS, PackError, isPackError } from './errors.ts';
export type { PackErrorCode } from './errors.ts';
export type { ModelPack, NoiseSchedule, PackAudio, PackDenoiser, PackFile, PackLiveDenoiser, PredictionType, SolverName } from './model-pack.ts';
