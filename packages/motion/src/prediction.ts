import type { PredictionType } from '@portrait-farm/model-pack';

/**
 * Converts a denoiser prediction into an x0 estimate in place of a new array, for x_t = alpha x0 + sigma eps:
 * x0 = pred; eps: x0 = (x_t - sigma pred) / alpha; v = alpha eps - sigma x0: x0 = alpha x_t - sigma pred.
 */
export function predictionToX0(prediction: ArrayLike<number>, xt: ArrayLike<number>, alphaBar: number, kind: PredictionType): Float64Array {
  const a = Math.sqrt(alphaBar);
  const s = Math.sqrt(1 - alphaBar);
  const out = new Float64Array(prediction.length);
  for (let i = 0; i < out.length; i++) {
    const p = prediction[i]!;
    if (kind === 'x0') out[i] = p;
    else if (kind === 'eps') out[i] = (xt[i]! - s * p) / a;
    else out[i] = a * xt[i]! - s * p;
  }
  return out;
}

/** The prediction a perfect model of `kind` makes for clean data x0 and noise eps at alpha_bar (for tests and fixtures). */
export function x0ToPrediction(x0: ArrayLike<number>, eps: ArrayLike<number>, alphaBar: number, kind: PredictionType): Float64Array {
  const a = Math.sqrt(alphaBar);
  const s = Math.sqrt(1 - alphaBar);
  const out = new Float64Array(x0.length);
  for (let i = 0; i < out.length; i++) {
    if (kind === 'x0') out[i] = x0[i]!;
    else if (kind === 'eps') out[i] = eps[i]!;
    else out[i] = a * eps[i]! - s * x0[i]!;
  }
  return out;
}
