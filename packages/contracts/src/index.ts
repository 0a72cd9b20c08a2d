export { CHANNEL, MOTION_CHANNELS, MOTION_CHANNEL_COUNT, motionValue } from './motion-channels.ts';
export type { MotionChannel, MotionTrack } from './motion-channels.ts';
export { SEALED_GAP, lipGap, pressSeal } from './lip-seal.ts';
export { RENDER_OPTION_RANGES } from './render-option-ranges.ts';
export type { Emotion, RenderControls, Solver } from './render-controls.ts';
