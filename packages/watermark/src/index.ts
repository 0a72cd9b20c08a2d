export { embedWatermark, TARGET_MSE } from './embed.ts';
export type { EmbedOptions } from './embed.ts';
export {
  AGREEMENT_THRESHOLD,
  detectInEvidence,
  detectWatermark,
  HYPOTHESES,
  TARGET_FALSE_POSITIVE_RATE,
  WatermarkDetector,
} from './detect.ts';
export type { DetectOptions, WatermarkDetection } from './detect.ts';
export { detectWatermarkInVideo } from './detect-video.ts';
export type { DetectVideoOptions } from './detect-video.ts';
export type { RgbFrame } from './luma.ts';
export type { Evidence } from './synchronise.ts';
export { CODED_BITS, encodeCodeword } from './codeword.ts';
export { DEFAULT_WATERMARK_KEY } from './prng.ts';
export { SYNC_CHIPS } from './pattern.ts';
export { agreementThreshold, logBinomialTail } from './threshold.ts';
