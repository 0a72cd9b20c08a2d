import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';

/** The last `size` frames that went out, oldest first. */
export interface MotionHistory {
  push(frame: ArrayLike<number>): void;
  /** Replaces the history with `frames` (n * 20 values); fewer than `size` frames are padded with the oldest. */
  reset(frames: ArrayLike<number>): void;
  /** The frames, oldest first, in the denoiser's normalised space: (x - mean) / std, `size` * 20 values. */
  normalised(mean: ArrayLike<number>, std: ArrayLike<number>): Float32Array;
}

export function createMotionHistory(size: number, initial: ArrayLike<number>): MotionHistory {
  const frames = new Float64Array(size * C);
  const reset = (values: ArrayLike<number>): void => {
    const given = Math.min(size, values.length / C);
    const skip = values.length / C - given;
    for (let f = 0; f < size; f++) {
      const source = skip + Math.max(0, f - (size - given));
      for (let c = 0; c < C; c++) frames[f * C + c] = values[source * C + c]!;
    }
  };
  reset(initial);
  return {
    push(frame) {
      frames.copyWithin(0, C);
      for (let c = 0; c < C; c++) frames[(size - 1) * C + c] = frame[c]!;
    },
    reset,
    normalised(mean, std) {
      const out = new Float32Array(size * C);
      for (let i = 0; i < out.length; i++) out[i] = (frames[i]! - mean[i % C]!) / std[i % C]!;
      return out;
    },
  };
}
