import { describe, expect, it } from 'vitest';
import { renderThreadsPerWorker } from './local-farm.ts';

describe('local farm render threads', () => {
  it('shares the cores out among the workers, at least one thread each', () => {
    expect(renderThreadsPerWorker(1, 2)).toBe(2);
    expect(renderThreadsPerWorker(2, 2)).toBe(1);
    expect(renderThreadsPerWorker(3, 16)).toBe(5);
    expect(renderThreadsPerWorker(4, 2)).toBe(1);
  });
});
