import { CHANNEL, MOTION_CHANNEL_COUNT, type MotionChannel } from '@portrait-farm/contracts';

/**
 * Channels whose one-frame jumps in one direction are real articulation (lips close fast), with that direction:
 * -1 when the channel falls as the mouth closes, +1 when it rises.
 */
export const CLOSING_DIRECTION: Readonly<Partial<Record<MotionChannel, 1 | -1>>> = Object.freeze({ jaw_open: -1, lips_part: -1, lips_press: 1 });

function closingDirections(): Int8Array {
  const out = new Int8Array(MOTION_CHANNEL_COUNT);
  for (const [name, direction] of Object.entries(CLOSING_DIRECTION)) out[CHANNEL[name as MotionChannel]] = direction;
  return out;
}

const CLOSING = closingDirections();

/** Weight of the seam offset at frame f of a window: a half cosine from 1 at frame 0 to 0 at frame `frames`. */
export function continuityRamp(frames: number): Float64Array {
  const ramp = new Float64Array(frames);
  for (let f = 0; f < frames; f++) ramp[f] = 0.5 * (1 + Math.cos((Math.PI * f) / frames));
  return ramp;
}

/**
 * Seam continuity of models/SPEC.md, applied to every x0 estimate of a window that has context: the window should
 * start where the context's last step leads (last frame + its velocity). The offset of its first frame from there
 * is removed from its first `frames` frames, fading out along {@link continuityRamp}, except on a mouth channel
 * jumping in its closing direction, which stays as the denoiser made it. Works in place on normalised motion
 * (`window * channels` x0, `context * channels` context).
 */
export function applyContinuity(x0: Float64Array, context: Float32Array, channels: number, ramp: Float64Array): void {
  const last = context.length - channels;
  const before = last - channels;
  for (let c = 0; c < channels; c++) {
    const lastValue = context[last + c]!;
    const target = before >= 0 ? 2 * lastValue - context[before + c]! : lastValue;
    const offset = x0[c]! - target;
    if (offset * (CLOSING[c] ?? 0) > 0) continue;
    for (let f = 0; f < ramp.length; f++) x0[f * channels + c] = x0[f * channels + c]! - offset * ramp[f]!;
  }
}
