import type { NoiseSchedule } from '@portrait-farm/model-pack';
import { MotionError } from './errors.ts';

const MAX_BETA = 0.999;

/**
 * alpha_bar[t] for t = 0 .. T-1 (float64), as models/SPEC.md and models/training/portrait_train/diffusion.py define it:
 * cosine: beta_t = min(1 - f(t+1)/f(t), 0.999) with f(u) = cos(((u/T) + s)/(1 + s) * pi/2)^2; linear: betas evenly
 * spaced from beta_start to beta_end; alpha_bar[t] = prod_{i<=t} (1 - beta_i).
 */
export function alphaBarTable(schedule: NoiseSchedule): Float64Array {
  const steps = schedule.timesteps;
  const betas = new Float64Array(steps);
  if (schedule.type === 'cosine') {
    const f = (u: number): number => Math.cos(((u / steps + schedule.s) / (1 + schedule.s)) * (Math.PI / 2)) ** 2;
    for (let t = 0; t < steps; t++) betas[t] = Math.min(1 - f(t + 1) / f(t), MAX_BETA);
  } else {
    const step = steps > 1 ? (schedule.betaEnd - schedule.betaStart) / (steps - 1) : 0;
    for (let t = 0; t < steps; t++) betas[t] = t === steps - 1 ? schedule.betaEnd : schedule.betaStart + t * step;
  }
  const alphaBar = new Float64Array(steps);
  let product = 1;
  for (let t = 0; t < steps; t++) {
    product *= 1 - betas[t]!;
    alphaBar[t] = product;
  }
  return alphaBar;
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The N sampler timesteps, "trailing" uniform spacing as models/training uses it:
 * tau_i = round((T - 1) * (N - i) / N) for i = 0 .. N-1 (from T-1 down to about (T-1)/N); the step after the last
 * lands on clean data (alpha = 1, sigma = 0).
 */
export function samplerTimesteps(steps: number, timesteps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > timesteps) {
    throw new MotionError('MOTION_BAD_OPTION', `steps must be an integer between 1 and ${timesteps}. Passed: ${steps}`);
  }
  return Array.from({ length: steps }, (_, i) => roundHalfEven(((timesteps - 1) * (steps - i)) / steps));
}

/** alpha_t = sqrt(alpha_bar), sigma_t = sqrt(1 - alpha_bar); t = null is clean data (1, 0). */
export function alphaSigma(alphaBar: Float64Array, t: number | null): { alpha: number; sigma: number } {
  if (t === null) return { alpha: 1, sigma: 0 };
  const ab = alphaBar[t]!;
  return { alpha: Math.sqrt(ab), sigma: Math.sqrt(1 - ab) };
}
