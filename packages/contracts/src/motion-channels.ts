/** The motion channels of models/SPEC.md, in their fixed order. */
export const MOTION_CHANNELS = Object.freeze([
  'jaw_open',
  'lips_part',
  'mouth_wide',
  'mouth_round',
  'upper_lip_raise',
  'lower_lip_tuck',
  'lips_press',
  'smile',
  'blink_l',
  'blink_r',
  'brow_raise',
  'brow_furrow',
  'head_yaw',
  'head_pitch',
  'head_roll',
  'head_tx',
  'head_ty',
  'head_scale',
  'gaze_x',
  'gaze_y',
] as const);

export type MotionChannel = (typeof MOTION_CHANNELS)[number];

export const MOTION_CHANNEL_COUNT = MOTION_CHANNELS.length;

/** Index of each channel in a motion frame. */
export const CHANNEL: Readonly<Record<MotionChannel, number>> = Object.freeze(
  Object.fromEntries(MOTION_CHANNELS.map((name, index) => [name, index])) as Record<MotionChannel, number>,
);

/**
 * Motion for a run of frames: `frameCount` rows of `MOTION_CHANNEL_COUNT` values, row-major,
 * in the units of models/SPEC.md (absolute values, not normalised).
 */
export interface MotionTrack {
  fps: number;
  frameCount: number;
  data: Float32Array;
}

/** The value of one channel at one frame. */
export function motionValue(track: MotionTrack, frame: number, channel: MotionChannel): number {
  return track.data[frame * MOTION_CHANNEL_COUNT + CHANNEL[channel]]!;
}
