/**
 * Embedding alone, without detection (which reads videos through @portrait-farm/media): what render threads import
 * to watermark their frames.
 */
export { embedWatermark, TARGET_MSE } from './embed.ts';
export type { EmbedOptions } from './embed.ts';
export type { RgbFrame } from './luma.ts';
