import { CHANNEL, MOTION_CHANNELS, MOTION_CHANNEL_COUNT as C, type MotionChannel, type MotionTrack } from '@portrait-farm/contracts';
import { MotionError } from '../errors.ts';
import { blinkTrack } from './blink-track.ts';
import { EMOTION_OFFSETS } from './emotion.ts';
import { resolveControls, type MotionControls, type ResolvedControls } from './motion-controls.ts';

/** Where a track sits: the pack's mean pose and the absolute index of the track's first frame. */
export interface ControlContext {
  /** Per-channel mean of the pack (`pack.channelMean`): the centre for motion intensity and gaze detail. */
  channelMean: ArrayLike<number>;
  /**
   * Absolute frame index of the track's first frame, so procedural blinks of segments join up exactly.
   * @defaultValue 0
   */
  firstFrame?: number;
}

const HEAD: readonly MotionChannel[] = ['head_yaw', 'head_pitch', 'head_roll', 'head_tx', 'head_ty', 'head_scale'];
/** Share of the model's own eye movement (about the mean) kept under a gaze control. */
const GAZE_DETAIL = 0.3;
/** Share of head yaw / pitch the eyes compensate when looking at the camera. */
const CAMERA_COMPENSATION = 0.8;
const DEGREES_PER_GAZE_UNIT = 30;

/** Channel ranges of models/SPEC.md enforced after controls (head channels are unbounded). */
const RANGES: Partial<Record<MotionChannel, [number, number]>> = Object.fromEntries(
  MOTION_CHANNELS.flatMap((name): Array<[MotionChannel, [number, number]]> => {
    if (name === 'smile' || name === 'brow_raise' || name === 'gaze_x' || name === 'gaze_y') return [[name, [-1, 1]]];
    if (name.startsWith('head_')) return [];
    return [[name, [0, 1]]];
  }),
);

function applyGaze(data: Float32Array, frames: number, gaze: NonNullable<ResolvedControls['gaze']>, mean: ArrayLike<number>): void {
  const gx = CHANNEL.gaze_x;
  const gy = CHANNEL.gaze_y;
  for (let f = 0; f < frames; f++) {
    const row = f * C;
    const detailX = GAZE_DETAIL * (data[row + gx]! - mean[gx]!);
    const detailY = GAZE_DETAIL * (data[row + gy]! - mean[gy]!);
    const targetX = gaze === 'camera' ? (-CAMERA_COMPENSATION * data[row + CHANNEL.head_yaw]!) / DEGREES_PER_GAZE_UNIT : gaze.x;
    const targetY = gaze === 'camera' ? (-CAMERA_COMPENSATION * data[row + CHANNEL.head_pitch]!) / DEGREES_PER_GAZE_UNIT : gaze.y;
    data[row + gx] = targetX + detailX;
    data[row + gy] = targetY + detailY;
  }
}

/**
 * Returns a new track with the controls applied, in this order: motion intensity (head channels about the pack's
 * mean pose), head distance, procedural blinks, emotion offsets, gaze, then the SPEC channel ranges. Every step is
 * frame-local (or a function of the absolute frame), so controls applied segment by segment equal controls applied
 * to the whole track.
 */
export function applyControls(track: MotionTrack, controls: MotionControls, context: ControlContext): MotionTrack {
  const resolved = resolveControls(controls);
  if (track.data.length !== track.frameCount * C) {
    throw new MotionError('MOTION_BAD_TRACK', `a motion track must hold frameCount * ${C} values. Passed: frameCount ${track.frameCount} with ${track.data.length} values`);
  }
  if (context.channelMean.length !== C) {
    throw new MotionError('MOTION_BAD_TRACK', `channelMean must have ${C} values. Passed: ${context.channelMean.length}`);
  }
  const frames = track.frameCount;
  const data = track.data.slice();
  const mean = context.channelMean;
  for (let f = 0; f < frames; f++) {
    const row = f * C;
    for (const name of HEAD) {
      const c = CHANNEL[name];
      data[row + c] = mean[c]! + resolved.motionIntensity * (data[row + c]! - mean[c]!);
    }
    data[row + CHANNEL.head_scale] = data[row + CHANNEL.head_scale]! + resolved.headDistance;
  }
  if (resolved.blinkRate !== null) {
    const blinks = blinkTrack(resolved.seed, resolved.blinkRate, track.fps, context.firstFrame ?? 0, frames);
    for (let f = 0; f < frames; f++) {
      data[f * C + CHANNEL.blink_l] = blinks[f]!;
      data[f * C + CHANNEL.blink_r] = blinks[f]!;
    }
  }
  const offsets = Object.entries(EMOTION_OFFSETS[resolved.emotion]) as Array<[MotionChannel, number]>;
  for (const [name, offset] of offsets) {
    const c = CHANNEL[name];
    const amount = offset * resolved.emotionIntensity;
    const isBlink = name === 'blink_l' || name === 'blink_r';
    for (let f = 0; f < frames; f++) {
      const v = data[f * C + c]!;
      data[f * C + c] = isBlink ? v + amount * (1 - v) : v + amount;
    }
  }
  if (resolved.gaze !== null) applyGaze(data, frames, resolved.gaze, mean);
  for (const [name, [lo, hi]] of Object.entries(RANGES) as Array<[MotionChannel, [number, number]]>) {
    const c = CHANNEL[name];
    for (let f = 0; f < frames; f++) data[f * C + c] = Math.min(hi, Math.max(lo, data[f * C + c]!));
  }
  return { fps: track.fps, frameCount: frames, data };
}
