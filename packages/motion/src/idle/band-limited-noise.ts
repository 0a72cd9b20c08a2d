import { gaussians } from '../rng.ts';

/** Several independent smooth random signals, one value each per frame. */
export interface BandLimitedNoise {
  /** The next frame's values: zero mean, unit standard deviation once settled, drawn from stream (seed, frame). */
  next(): Float64Array;
}

/**
 * Gaussian white noise through two cascaded one-pole low-pass filters with the same cutoff: a signal that wanders
 * smoothly (its frame-to-frame steps are small next to its spread) without a period. The gain makes the settled
 * standard deviation 1: for pole p = 1 - a the cascade's impulse response is a^2 (n+1) p^n, whose energy is
 * a^4 (1 + p^2) / (1 - p^2)^3. The filters start at 0, so the signal starts at rest and settles within a few
 * cutoff periods.
 */
export function createBandLimitedNoise(seed: number, domain: number, channels: number, cutoffHz: number, fps: number): BandLimitedNoise {
  const a = 1 - Math.exp((-2 * Math.PI * cutoffHz) / fps);
  const q = (1 - a) ** 2;
  const gain = 1 / Math.sqrt((a ** 4 * (1 + q)) / (1 - q) ** 3);
  const first = new Float64Array(channels);
  const second = new Float64Array(channels);
  let frame = 0;
  return {
    next() {
      const white = gaussians(seed, frame, domain, channels);
      frame += 1;
      for (let c = 0; c < channels; c++) {
        first[c] = first[c]! + a * (gain * white[c]! - first[c]!);
        second[c] = second[c]! + a * (first[c]! - second[c]!);
      }
      return second.slice();
    },
  };
}
