import { describe, expect, it } from 'vitest';
import { guidanceFeeds, guidedX0 } from './guidance.ts';

describe('classifier-free guidance', () => {
  it('feeds cond and uncond as one batch of 2 with audio_keep [1, 0] and the same context in both rows', () => {
    const conditioning = {
      audio: Float32Array.from({ length: 2 * 3 }, (_, i) => i + 0.5),
      prevMotion: Float32Array.from({ length: 1 * 2 }, (_, i) => -i),
      prevKeep: 1 as const,
      window: 2,
      context: 1,
      channels: 2,
      featureDim: 3,
    };
    const x = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const feeds = guidanceFeeds(x, 832, conditioning);
    expect(feeds['x_t']).toEqual({ data: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.3, 0.4]), dims: [2, 2, 2] });
    expect(feeds['timestep']).toEqual({ data: Float32Array.of(832, 832), dims: [2] });
    expect(feeds['audio']?.dims).toEqual([2, 2, 3]);
    expect(Array.from(feeds['audio']!.data as Float32Array)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(feeds['audio_keep']).toEqual({ data: Float32Array.of(1, 0), dims: [2] });
    expect(feeds['prev_motion']).toEqual({ data: Float32Array.of(-0, -1, -0, -1), dims: [2, 1, 2] });
    expect(feeds['prev_keep']).toEqual({ data: Float32Array.of(1, 1), dims: [2] });
  });

  it('combines as uncond + s * (cond - uncond) in x0 space', () => {
    const x = Float64Array.from([1, 2]);
    const prediction = Float32Array.from([3, 5, 1, 1]);
    expect(Array.from(guidedX0(prediction, x, 0.5, 'x0', 2))).toEqual([5, 9]);
    expect(Array.from(guidedX0(prediction, x, 0.5, 'x0', 0))).toEqual([1, 1]);
    expect(Array.from(guidedX0(prediction, x, 0.5, 'x0', 1))).toEqual([3, 5]);
    const a = Math.sqrt(0.5);
    const eps = guidedX0(prediction, x, 0.5, 'eps', 1.5);
    const toX0 = (p: number, xi: number): number => (xi - a * p) / a;
    expect(eps[0]).toBeCloseTo(toX0(1, 1) + 1.5 * (toX0(3, 1) - toX0(1, 1)), 12);
  });
});
