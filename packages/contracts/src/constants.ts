/**
 * The contracts' constants without their schemas: what render threads and other hot paths import, so that they do
 * not load TypeBox and Ajv (hundreds of modules) to read the motion channels (docs/performance.md, "Where a frame's
 * CPU goes").
 */
export { CHANNEL, MOTION_CHANNELS, MOTION_CHANNEL_COUNT, motionValue } from './motion-channels.ts';
export type { MotionChannel, MotionTrack } from './motion-channels.ts';
export { PRESS_SEAL_FULL, PRESS_SEAL_START, SEALED_GAP, lipGap, pressSeal } from './lip-seal.ts';
export { RENDER_BACKENDS } from './render-backends.ts';
export type { RenderBackend } from './render-backends.ts';
export { RENDER_OPTION_RANGES } from './render-option-ranges.ts';
