import { describe, expect, it } from 'vitest';
import { niceCeiling } from './minute-chart.ts';

describe('niceCeiling', () => {
  it('rounds an axis maximum up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 273, 1234, 5001].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 500, 2000, 10_000]);
  });
});
