import { CHANNEL, MOTION_CHANNEL_COUNT as C, type MotionChannel } from '@portrait-farm/contracts';

export const MOUTH_CHANNELS: readonly MotionChannel[] = ['jaw_open', 'lips_part', 'mouth_wide', 'mouth_round', 'upper_lip_raise', 'lower_lip_tuck', 'lips_press'];

/**
 * A relaxed closed mouth, in the order of {@link MOUTH_CHANNELS}. In silence the starter pack's denoiser leaves the
 * jaw and lips a little apart (jaw_open about 0.10, lips_part 0.12), which the renderer draws as a gap with the
 * teeth showing; at rest the lips meet (jaw_open and lips_part 0, a lip gap far below the 0.06 that
 * models/SPEC.md counts as closed) and the shape channels keep the small values the denoiser gives them in silence.
 */
export const REST_MOUTH: readonly number[] = Object.freeze([0, 0, 0.05, 0.05, 0.006, 0.008, 0.005]);

/**
 * The pose the idle generator moves about: the mouth at rest, eyes open, and every other channel at the pack's
 * mean (the retarget reads smile, brows and gaze relative to that mean, so this keeps the portrait's own
 * expression; the head channels at the mean are the pose the denoiser's motion centres on).
 */
export function restPose(channelMean: ArrayLike<number>, mouth: ArrayLike<number>): Float64Array {
  const pose = new Float64Array(C);
  for (let c = 0; c < C; c++) pose[c] = channelMean[c]!;
  MOUTH_CHANNELS.forEach((name, i) => {
    pose[CHANNEL[name]] = mouth[i]!;
  });
  pose[CHANNEL.blink_l] = 0;
  pose[CHANNEL.blink_r] = 0;
  return pose;
}
