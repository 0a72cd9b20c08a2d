import { describe, expect, it } from 'vitest';
import { alphaBarTable, alphaSigma, samplerTimesteps } from './schedule.ts';

describe('alphaBarTable', () => {
  it('follows the cosine closed form f(t+1)/f(0) wherever the beta clip is inactive', () => {
    const T = 1000;
    const s = 0.008;
    const table = alphaBarTable({ type: 'cosine', timesteps: T, s });
    const f = (u: number): number => Math.cos(((u / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    for (const t of [0, 1, 10, 250, 500, 750, 900, 990]) expect(table[t]! / (f(t + 1) / f(0))).toBeCloseTo(1, 10);
    // The last beta is clipped at 0.999: alpha_bar[T-1] = alpha_bar[T-2] * 0.001.
    expect(table[T - 1]! / table[T - 2]!).toBeCloseTo(0.001, 12);
    // Values of models/training/portrait_train/diffusion.py alpha_bar_table().
    expect(table[0]).toBeCloseTo(0.999958715775178, 14);
    expect(table[500]).toBeCloseTo(0.49228517244880304, 14);
    expect(table[999]! / 2.4287669070348567e-9).toBeCloseTo(1, 10);
  });

  it('follows the linear closed form prod(1 - beta_i)', () => {
    const table = alphaBarTable({ type: 'linear', timesteps: 4, betaStart: 0.1, betaEnd: 0.4 });
    expect(Array.from(table)).toEqual([0.9, 0.9 * 0.8, 0.9 * 0.8 * 0.7, 0.9 * 0.8 * 0.7 * 0.6].map((v, i) => (i === 0 ? v : expect.closeTo(v, 14))));
    const long = alphaBarTable({ type: 'linear', timesteps: 1000, betaStart: 1e-4, betaEnd: 0.02 });
    expect(long[1]).toBeCloseTo(0.9997800920720721, 14);
    expect(long[500]).toBeCloseTo(0.07779665836502389, 12);
    expect(long[999]! / 4.035829765375676e-5).toBeCloseTo(1, 10);
  });
});

describe('samplerTimesteps', () => {
  it('is the trailing uniform spacing of models/training, with Python rounding (halves to even)', () => {
    expect(samplerTimesteps(12, 1000)).toEqual([999, 916, 832, 749, 666, 583, 500, 416, 333, 250, 166, 83]);
    expect(samplerTimesteps(6, 1000)).toEqual([999, 832, 666, 500, 333, 166]);
    expect(samplerTimesteps(25, 1000).slice(12, 15)).toEqual([519, 480, 440]);
    expect(samplerTimesteps(1, 1000)).toEqual([999]);
  });

  it('names an impossible step count', () => {
    expect(() => samplerTimesteps(0, 1000)).toThrow('steps must be an integer between 1 and 1000. Passed: 0');
    expect(() => samplerTimesteps(1001, 1000)).toThrow('steps must be an integer between 1 and 1000. Passed: 1001');
  });
});

describe('alphaSigma', () => {
  it('treats the step after the last as clean data', () => {
    expect(alphaSigma(new Float64Array([0.25]), 0)).toEqual({ alpha: 0.5, sigma: Math.sqrt(0.75) });
    expect(alphaSigma(new Float64Array([0.25]), null)).toEqual({ alpha: 1, sigma: 0 });
  });
});
