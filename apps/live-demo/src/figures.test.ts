import { describe, expect, it } from 'vitest';
import { formatPercentiles, formatShare } from './figures.ts';

describe('figures', () => {
  it('formats percentiles and shares', () => {
    expect(formatPercentiles(undefined)).toBe('-');
    expect(formatPercentiles({ count: 0, p50: null, p95: null, p99: null })).toBe('-');
    expect(formatPercentiles({ count: 3, p50: 120.4, p95: 180.6, p99: 200 })).toBe('p50 120 · p95 181 ms');
    expect(formatShare(3, 1250)).toBe('3 of 1,250 (0.24 %)');
    expect(formatShare(0, 0)).toBe('-');
  });
});
