import { describe, expect, it } from 'vitest';
import { agreementThreshold, logBinomialTail } from './threshold.ts';

describe('binomial threshold', () => {
  it('computes exact tails', () => {
    expect(Math.exp(logBinomialTail(4, 4))).toBeCloseTo(1 / 16, 12);
    expect(Math.exp(logBinomialTail(4, 3))).toBeCloseTo(5 / 16, 12);
    expect(Math.exp(logBinomialTail(10, 0))).toBe(1);
  });

  it('picks the smallest count meeting the rate over all hypotheses', () => {
    const k = agreementThreshold(512, 163840, 1e-6);
    expect(163840 * Math.exp(logBinomialTail(512, k))).toBeLessThanOrEqual(1e-6);
    expect(163840 * Math.exp(logBinomialTail(512, k - 1))).toBeGreaterThan(1e-6);
  });
});
