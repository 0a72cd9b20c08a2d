export { applyControls } from './apply-controls.ts';
export type { ControlContext } from './apply-controls.ts';
export { resolveControls } from './motion-controls.ts';
export type { MotionControls, ResolvedControls } from './motion-controls.ts';
export { EMOTIONS, EMOTION_OFFSETS } from './emotion.ts';
export type { Emotion } from './emotion.ts';
export { blinkSchedule, blinkTrack } from './blink-track.ts';
export type { Blink } from './blink-track.ts';
export { resample, checkOutputFps, MIN_OUTPUT_FPS, MAX_OUTPUT_FPS } from './resample.ts';
