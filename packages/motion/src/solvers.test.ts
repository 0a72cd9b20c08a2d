import { describe, expect, it } from 'vitest';
import { predictionToX0, x0ToPrediction } from './prediction.ts';
import { alphaBarTable, alphaSigma } from './schedule.ts';
import { sampleDdim, sampleDpmpp2m, type Denoise } from './solvers.ts';

const alphaBar = alphaBarTable({ type: 'cosine', timesteps: 1000, s: 0.008 });
const noise = Float64Array.from([1.0, -0.5, 0.25, 2.0, -1.5, 0.0, 0.75, -2.25]);

/** The exact x0 denoiser (posterior mean) for data ~ N(mu, sd^2) per coordinate. */
function gaussianDenoiser(mu: number, sd: number): Denoise {
  return async (x, t) => {
    const { alpha: a, sigma: s } = alphaSigma(alphaBar, t);
    return x.map((v) => mu + ((a * sd * sd) / (a * a * sd * sd + s * s)) * (v - a * mu));
  };
}

/** The probability-flow ODE's exact end point for Gaussian data, starting at t = 999 from x. */
function exactGaussianEnd(mu: number, sd: number): Float64Array {
  const { alpha: a, sigma: s } = alphaSigma(alphaBar, 999);
  return noise.map((v) => mu + (sd * (v - a * mu)) / Math.sqrt(a * a * sd * sd + s * s));
}

function maxError(a: Float64Array, b: Float64Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('solvers', () => {
  it('land exactly on a single-point dataset with the exact x0 denoiser', async () => {
    const point = Float64Array.from([0.3, -1.2, 0.0, 4.5, 2.0, -0.7, 1.1, 0.9]);
    const exact: Denoise = async () => point.slice();
    for (const steps of [1, 2, 6, 12]) {
      expect(await sampleDdim(exact, noise, alphaBar, steps)).toEqual(point);
      expect(await sampleDpmpp2m(exact, noise, alphaBar, steps)).toEqual(point);
    }
  });

  it('DDIM keeps the single-point trajectory on x_t = alpha x0 + sigma eps', async () => {
    const point = Float64Array.from([0.5, -0.5, 1, 2, 0, 0, 0, 1]);
    const { alpha, sigma } = alphaSigma(alphaBar, 999);
    const eps = noise.map((v, i) => (v - alpha * point[i]!) / sigma);
    const seen: Array<[number, Float64Array]> = [];
    await sampleDdim(async (x, t) => (seen.push([t, x]), point.slice()), noise, alphaBar, 5);
    for (const [t, x] of seen) {
      const { alpha: a, sigma: s } = alphaSigma(alphaBar, t);
      expect(maxError(x, point.map((p, i) => a * p + s * eps[i]!))).toBeLessThan(1e-12);
    }
  });

  it('DDIM with one step and the exact eps prediction returns x0', async () => {
    const x0 = Float64Array.from([0.25, -0.75, 1.5, 0, 0, 3, -2, 1]);
    const eps = Float64Array.from(noise);
    const { alpha, sigma } = alphaSigma(alphaBar, 999);
    const xT = x0.map((v, i) => alpha * v + sigma * eps[i]!);
    const epsModel: Denoise = async (x, t) => predictionToX0(x0ToPrediction(x0, eps, alphaBar[t]!, 'eps'), x, alphaBar[t]!, 'eps');
    expect(maxError(await sampleDdim(epsModel, xT, alphaBar, 1), x0)).toBeLessThan(1e-9);
  });

  it('match models/training/portrait_train/diffusion.py on Gaussian data (12 steps)', async () => {
    const den = gaussianDenoiser(0.5, 0.4);
    const pythonDdim = [0.8426365381287646, 0.3286690661291709, 0.585652802128968, 1.1852815194618271, -0.01397591520389152, 0.4999915567957023, 0.756975292795499, -0.2709596512036886];
    const pythonDpm = [0.8791660185689294, 0.31040297567714326, 0.5947844971230364, 1.2583413804967871, -0.06877238625071413, 0.49999065664107206, 0.784372178086965, -0.35315390769660726];
    expect(maxError(await sampleDdim(den, noise, alphaBar, 12), Float64Array.from(pythonDdim))).toBeLessThan(1e-12);
    expect(maxError(await sampleDpmpp2m(den, noise, alphaBar, 12), Float64Array.from(pythonDpm))).toBeLessThan(1e-12);
  });

  it('converge to the exact probability-flow solution for Gaussian data, DPM-Solver++(2M) faster than DDIM', async () => {
    const den = gaussianDenoiser(0.5, 0.4);
    const exact = exactGaussianEnd(0.5, 0.4);
    const ddim = await Promise.all([10, 50, 250].map(async (n) => maxError(await sampleDdim(den, noise, alphaBar, n), exact)));
    const dpm = await Promise.all([10, 50, 250].map(async (n) => maxError(await sampleDpmpp2m(den, noise, alphaBar, n), exact)));
    expect(dpm[0]!).toBeLessThan(ddim[0]!);
    expect(ddim[2]!).toBeLessThan(ddim[1]!);
    expect(ddim[1]!).toBeLessThan(ddim[0]!);
    expect(dpm[2]!).toBeLessThan(dpm[0]!);
    expect(dpm[2]!).toBeLessThan(5e-3);
  });
});

describe('prediction conversions', () => {
  it('recover x0 from x0, eps and v predictions of a perfect model', () => {
    const x0 = Float64Array.from([0.5, -1, 2]);
    const eps = Float64Array.from([-0.3, 0.8, 1.1]);
    for (const ab of [0.999, 0.5, 0.01]) {
      const xt = x0.map((v, i) => Math.sqrt(ab) * v + Math.sqrt(1 - ab) * eps[i]!);
      for (const kind of ['x0', 'eps', 'v'] as const) {
        expect(maxError(predictionToX0(x0ToPrediction(x0, eps, ab, kind), xt, ab, kind), x0)).toBeLessThan(1e-9);
      }
    }
  });
});
