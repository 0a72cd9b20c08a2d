import type { MotionChannel } from '@portrait-farm/contracts';

type HeadChannel = 'head_yaw' | 'head_pitch' | 'head_roll' | 'head_tx' | 'head_ty' | 'head_scale';

/** Head channels the band-limited drift moves, in this order. */
export const DRIFT_CHANNELS: readonly HeadChannel[] = ['head_yaw', 'head_pitch', 'head_roll', 'head_tx', 'head_ty', 'head_scale'];

/**
 * Standard deviation of the head's drift at rest (degrees; face widths; log scale), about half of what the
 * starter's denoiser makes while speaking (yaw 2.0, pitch 1.6, roll 1.1 degrees; tx 0.0042, ty 0.0040, scale 0.0034).
 */
export const DRIFT_SPREAD: Readonly<Record<HeadChannel, number>> = Object.freeze({
  head_yaw: 0.9, head_pitch: 0.5, head_roll: 0.45, head_tx: 0.002, head_ty: 0.0012, head_scale: 0.001,
});
/** Cutoff of the drift's low-pass filters: slower than speech's head motion. */
export const DRIFT_CUTOFF_HZ = 0.25;
/** Share of the drift left while listening (an attentive head holds stiller). */
export const LISTENING_DRIFT = 0.6;

/** Head movement at the top of a deep breath: up (head_ty -) and chin slightly up (head_pitch -). */
export const BREATH_LIFT: Readonly<Partial<Record<MotionChannel, number>>> = Object.freeze({ head_ty: -0.006, head_pitch: -0.5 });

/**
 * The listening pose, added to the rest pose in full once listening has settled: the head tilted (roll, to a side
 * the seed picks), the chin a little down and the face a little closer (leaning in), the brows slightly raised.
 * The eyes go to the camera.
 */
export const LISTENING_OFFSET: Readonly<Partial<Record<MotionChannel, number>>> = Object.freeze({
  head_roll: 3, head_pitch: 0.8, head_scale: 0.015, brow_raise: 0.28,
});
/** Time constant of the move between idle and listening (two cascaded filters: about 1.4 s to 90 %). */
export const ATTENTION_SECONDS = 0.35;
/** Share of the head's yaw and pitch the eyes compensate to stay on the camera (as the `gaze: "camera"` control). */
export const CAMERA_COMPENSATION = 0.8;
export const DEGREES_PER_GAZE_UNIT = 30;

/** Seconds over which the speed of the frames given to startFrom dies away (the time constant of its coasting). */
export const COAST_SECONDS = 0.12;
/** Seconds over which a frame given to startFrom relaxes to the generator's own motion, at least. */
export const RELAX_SECONDS = Object.freeze({ mouth: 0.32, eyelids: 0.16, other: 0.56 });
/**
 * Fastest a channel moves while relaxing, per second: the 95th percentile of the starter denoiser's frame-to-frame
 * steps in 22 s of speech (25 fps), so a relaxation from far away takes longer rather than moving faster than
 * speech usually does. Eyelids may close or open fully within a frame, as in a blink.
 */
export const RELAX_SPEED: Readonly<Record<MotionChannel, number>> = Object.freeze({
  jaw_open: 6, lips_part: 5, mouth_wide: 3.5, mouth_round: 4.5, upper_lip_raise: 2, lower_lip_tuck: 3, lips_press: 8,
  smile: 0.14, blink_l: 25, blink_r: 25, brow_raise: 0.85, brow_furrow: 0.1,
  head_yaw: 9, head_pitch: 18, head_roll: 3.7, head_tx: 0.019, head_ty: 0.04, head_scale: 0.011, gaze_x: 0.3, gaze_y: 0.16,
});
