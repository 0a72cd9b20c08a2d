import { describe, expect, it } from 'vitest';
import { workerThreadSizes } from './worker-thread-sizes.ts';

describe('workerThreadSizes', () => {
  it('gives a render thread per core but one (the main thread\'s) and splits the cores among the segments for the denoiser', () => {
    expect(workerThreadSizes({ cores: 16, segmentConcurrency: 2, renderThreads: null })).toEqual({ cores: 16, renderThreads: 15, intraOpThreads: 8, renderThreadsFrom: 'cores' });
    expect(workerThreadSizes({ cores: 4, segmentConcurrency: 2, renderThreads: null })).toMatchObject({ renderThreads: 3, intraOpThreads: 2 });
    expect(workerThreadSizes({ cores: 5, segmentConcurrency: 2, renderThreads: null })).toMatchObject({ renderThreads: 4, intraOpThreads: 2 });
    expect(workerThreadSizes({ cores: 2, segmentConcurrency: 2, renderThreads: null })).toMatchObject({ renderThreads: 1, intraOpThreads: 1 });
  });

  it('keeps one thread of each on a one-core share (two workers on two cores)', () => {
    expect(workerThreadSizes({ cores: 1, segmentConcurrency: 2, renderThreads: null })).toEqual({ cores: 1, renderThreads: 1, intraOpThreads: 1, renderThreadsFrom: 'cores' });
    expect(workerThreadSizes({ cores: 3, segmentConcurrency: 4, renderThreads: null })).toMatchObject({ renderThreads: 2, intraOpThreads: 1 });
  });

  it("keeps the operator's render threads, still sizing the denoiser from the cores", () => {
    expect(workerThreadSizes({ cores: 8, segmentConcurrency: 2, renderThreads: 3 })).toEqual({ cores: 8, renderThreads: 3, intraOpThreads: 4, renderThreadsFrom: 'setting' });
  });

  it('starts at most 32 render threads however many cores', () => {
    expect(workerThreadSizes({ cores: 128, segmentConcurrency: 2, renderThreads: null }).renderThreads).toBe(32);
  });
});
