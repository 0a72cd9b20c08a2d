import type { TensorMap } from '@portrait-farm/model-runtime';
import type { PredictionType } from '@portrait-farm/model-pack';
import { predictionToX0 } from './prediction.ts';

/** The conditioning of one window: its audio rows and its context (normalised), fixed over all solver steps. */
export interface WindowConditioning {
  audio: Float32Array;
  prevMotion: Float32Array;
  prevKeep: 0 | 1;
  window: number;
  context: number;
  channels: number;
  featureDim: number;
}

function twice(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length * 2);
  out.set(values, 0);
  out.set(values, values.length);
  return out;
}

/**
 * Denoiser feeds for one step as ONE batch of 2 rows: row 0 conditional (audio_keep 1), row 1 unconditional
 * (audio_keep 0); both rows keep the same context (classifier-free guidance on audio only, models/SPEC.md).
 */
export function guidanceFeeds(x: Float64Array, t: number, c: WindowConditioning): TensorMap {
  const xt = Float32Array.from(x);
  return {
    x_t: { data: twice(xt), dims: [2, c.window, c.channels] },
    timestep: { data: Float32Array.of(t, t), dims: [2] },
    audio: { data: twice(c.audio), dims: [2, c.window, c.featureDim] },
    audio_keep: { data: Float32Array.of(1, 0), dims: [2] },
    prev_motion: { data: twice(c.prevMotion), dims: [2, c.context, c.channels] },
    prev_keep: { data: Float32Array.of(c.prevKeep, c.prevKeep), dims: [2] },
  };
}

/**
 * Guided x0 from the 2-row prediction: each row converted to x0 (for the x_t actually fed, i.e. rounded to float32),
 * then uncond + scale * (cond - uncond).
 */
export function guidedX0(prediction: Float32Array, x: Float64Array, alphaBar: number, kind: PredictionType, scale: number): Float64Array {
  const n = x.length;
  const xt = Float32Array.from(x);
  const cond = predictionToX0(prediction.subarray(0, n), xt, alphaBar, kind);
  const uncond = predictionToX0(prediction.subarray(n, 2 * n), xt, alphaBar, kind);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = uncond[i]! + scale * (cond[i]! - uncond[i]!);
  return out;
}
