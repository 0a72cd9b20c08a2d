import { CHANNEL, MOTION_CHANNEL_COUNT, type MotionChannel } from '@portrait-farm/contracts';

/** The channels that shape the lips; they keep the denoiser's jump when the mouth closes at a window's start. */
export const ARTICULATORS: readonly MotionChannel[] = Object.freeze(['jaw_open', 'lips_part', 'mouth_wide', 'mouth_round', 'upper_lip_raise', 'lower_lip_tuck', 'lips_press']);

/** Direction in which each closing channel moves as the lips close: -1 falls, +1 rises. */
export const CLOSING_DIRECTION: Readonly<Partial<Record<MotionChannel, 1 | -1>>> = Object.freeze({ jaw_open: -1, lips_part: -1, lips_press: 1 });

const ARTICULATOR = new Uint8Array(MOTION_CHANNEL_COUNT);
for (const name of ARTICULATORS) ARTICULATOR[CHANNEL[name]] = 1;
const CLOSING = Object.entries(CLOSING_DIRECTION).map(([name, direction]) => ({ channel: CHANNEL[name as MotionChannel], direction }));

/** Weight of the seam offset at frame f of a window: a half cosine from 1 at frame 0 to 0 at frame `frames`. */
export function continuityRamp(frames: number): Float64Array {
  const ramp = new Float64Array(frames);
  for (let f = 0; f < frames; f++) ramp[f] = 0.5 * (1 + Math.cos((Math.PI * f) / frames));
  return ramp;
}

/**
 * Seam continuity of models/SPEC.md, applied to the sampled motion of a window that has context: the window should
 * start where the context's last step leads (last frame + its velocity). The offset of its first frame from there
 * is removed from its first `frames` frames, fading out along {@link continuityRamp}. When the lips close at the
 * start (a closing channel jumps in its closing direction: a p/b/m), the articulators keep the denoiser's jump.
 * Works in place on normalised motion (`window * channels` x0, `context * channels` context).
 */
export function applyContinuity(x0: Float64Array, context: Float32Array, channels: number, ramp: Float64Array): void {
  if (ramp.length === 0) return;
  const last = context.length - channels;
  const before = last - channels;
  const offsets = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const lastValue = context[last + c]!;
    offsets[c] = x0[c]! - (before >= 0 ? 2 * lastValue - context[before + c]! : lastValue);
  }
  const lipsClose = CLOSING.some(({ channel, direction }) => offsets[channel]! * direction > 0);
  for (let c = 0; c < channels; c++) {
    if (lipsClose && ARTICULATOR[c] === 1) continue;
    for (let f = 0; f < ramp.length; f++) x0[f * channels + c] = x0[f * channels + c]! - offsets[c]! * ramp[f]!;
  }
}
