import { CHANNEL, MOTION_CHANNEL_COUNT, type MotionChannel } from '@portrait-farm/contracts/constants';

function pose(values: Partial<Record<MotionChannel, number>>): Float32Array {
  const frame = new Float32Array(MOTION_CHANNEL_COUNT);
  for (const [channel, value] of Object.entries(values) as Array<[MotionChannel, number]>) frame[CHANNEL[channel]] = value;
  return frame;
}

/**
 * Poses that take a render thread through every branch of the renderer: the mouth closed, pressed and wide open
 * with its interior, blinks, the head turned every way, the camera zoomed in and out (whose border extension is
 * built on first use). A thread that renders them before its first frame compiles them then, not in a frame of a
 * stream: the first frame through a branch V8 has not seen takes 40-90 ms instead of 8 (docs/realtime.md, "Late frames:
 * the renderer's first compiles").
 */
export const WARM_UP_POSES: readonly Float32Array[] = Object.freeze([
  pose({}),
  pose({ jaw_open: 0.6, lips_part: 0.4, mouth_wide: 0.2, mouth_round: 0.05, lips_press: 0.2, smile: 0.8, brow_raise: 0.1, head_yaw: -1, head_pitch: -5, head_roll: -2, head_ty: -0.02, head_scale: -0.03, gaze_x: -0.3, gaze_y: -0.5 }),
  pose({ jaw_open: 1, lips_part: 1, mouth_wide: 0.6, mouth_round: 0.6, upper_lip_raise: 0.5, lower_lip_tuck: 0.5, blink_l: 1, blink_r: 1, brow_raise: 1, brow_furrow: 1, head_yaw: 10, head_pitch: 8, head_roll: 6, head_tx: 0.05, head_ty: 0.05, head_scale: 0.05, gaze_x: 0.5, gaze_y: 0.5 }),
  pose({ lips_press: 1, lower_lip_tuck: 0.3, blink_l: 0.5, blink_r: 0.2, smile: 0.3, head_yaw: -10, head_pitch: -8, head_roll: -6, head_tx: -0.05, head_ty: -0.05, head_scale: -0.05, gaze_x: -0.5, gaze_y: -0.5 }),
  pose({ jaw_open: 0.3, lips_part: 0.6, mouth_round: 0.9, smile: 0.2, head_yaw: 3, head_pitch: 2, head_scale: 0.02 }),
]);
