import { SOLVERS, type Solver } from '@portrait-farm/contracts';
import { alphaSigma, samplerTimesteps } from './schedule.ts';

/** (x_t, integer timestep) -> x0 estimate with guidance applied. */
export type Denoise = (x: Float64Array, t: number) => Promise<Float64Array>;

export { SOLVERS, type Solver };

/** Deterministic DDIM (eta = 0) from x_{tau_0} = noise to clean data; the last step returns the final x0 estimate. */
export async function sampleDdim(denoise: Denoise, noise: Float64Array, alphaBar: Float64Array, steps: number): Promise<Float64Array> {
  const taus: Array<number | null> = [...samplerTimesteps(steps, alphaBar.length), null];
  let x = noise;
  for (let i = 0; i < steps; i++) {
    const t = taus[i]!;
    const { alpha: a, sigma: s } = alphaSigma(alphaBar, t);
    const { alpha: aNext, sigma: sNext } = alphaSigma(alphaBar, taus[i + 1]!);
    const x0 = await denoise(x, t);
    const next = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const eps = (x[j]! - a * x0[j]!) / s;
      next[j] = aNext * x0[j]! + sNext * eps;
    }
    x = next;
  }
  return x;
}

/**
 * DPM-Solver++(2M), data prediction, multistep. The first step is first order (no previous x0 yet); the last step
 * (to sigma = 0) returns the final x0 estimate, as models/training/portrait_train/diffusion.py does.
 */
export async function sampleDpmpp2m(denoise: Denoise, noise: Float64Array, alphaBar: Float64Array, steps: number): Promise<Float64Array> {
  const taus: Array<number | null> = [...samplerTimesteps(steps, alphaBar.length), null];
  let x = noise;
  let x0Prev: Float64Array | null = null;
  let hPrev = 0;
  for (let i = 0; i < steps; i++) {
    const t = taus[i]!;
    const tNext = taus[i + 1]!;
    const x0 = await denoise(x, t);
    if (tNext === null) return x0;
    const { alpha: a, sigma: s } = alphaSigma(alphaBar, t);
    const { alpha: aNext, sigma: sNext } = alphaSigma(alphaBar, tNext);
    const h = Math.log(aNext / sNext) - Math.log(a / s);
    const ratio = sNext / s;
    const gain = aNext * Math.expm1(-h);
    const next = new Float64Array(x.length);
    if (x0Prev === null) {
      for (let j = 0; j < x.length; j++) next[j] = ratio * x[j]! - gain * x0[j]!;
    } else {
      const r = hPrev / h;
      const c0 = 1 + 1 / (2 * r);
      const c1 = 1 / (2 * r);
      for (let j = 0; j < x.length; j++) next[j] = ratio * x[j]! - gain * (c0 * x0[j]! - c1 * x0Prev[j]!);
    }
    x = next;
    x0Prev = x0;
    hPrev = h;
  }
  return x;
}

/** Runs the named solver. */
export function sample(solver: Solver, denoise: Denoise, noise: Float64Array, alphaBar: Float64Array, steps: number): Promise<Float64Array> {
  return solver === 'ddim' ? sampleDdim(denoise, noise, alphaBar, steps) : sampleDpmpp2m(denoise, noise, alphaBar, steps);
}
