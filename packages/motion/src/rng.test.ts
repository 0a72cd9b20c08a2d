import { describe, expect, it } from 'vitest';
import { frameNoise, gaussians, philox4x32, uniformWords, windowNoise } from './rng.ts';

const hex = (words: Uint32Array): string[] => Array.from(words, (w) => w.toString(16).padStart(8, '0'));

describe('philox4x32', () => {
  it('reproduces the Random123 known-answer vectors of Philox-4x32-10', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('window noise', () => {
  it('is a pure function of (seed, window) whatever was drawn before', () => {
    const a = windowNoise(42, 7, 1000);
    windowNoise(42, 3, 5000);
    expect(windowNoise(42, 7, 1000)).toEqual(a);
    expect(windowNoise(42, 7, 10)).toEqual(a.subarray(0, 10));
    expect(windowNoise(42, 8, 1000)).not.toEqual(a);
    expect(windowNoise(43, 7, 1000)).not.toEqual(a);
    expect(windowNoise(2 ** 40 + 42, 7, 1000)).not.toEqual(a);
  });

  it('pins the first values of seed 1234, window 0 (any change breaks reproducibility of old jobs)', () => {
    expect(hex(uniformWords(1234, 0, 0x6e6f6973, 4))).toEqual(hex(philox4x32([0, 0, 0, 0x6e6f6973], [1234, 0])));
    expect(Array.from(windowNoise(1234, 0, 4), (v) => v.toFixed(6))).toEqual(['0.175264', '-2.933717', '-0.926298', '1.492180']);
  });

  it('is standard normal', () => {
    const values = gaussians(5, 0, 1, 200_000);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    const beyond2 = values.filter((v) => Math.abs(v) > 2).length / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    expect(beyond2).toBeCloseTo(0.0455, 2);
  });

  it('names a bad seed', () => {
    expect(() => windowNoise(-1, 0, 4)).toThrow(`seed must be an integer between 0 and ${Number.MAX_SAFE_INTEGER}. Passed: -1`);
    expect(() => windowNoise(1.5, 0, 4)).toThrow('Passed: 1.5');
  });
});

describe('frameNoise', () => {
  it('gives overlapping windows the same noise on the frames they share, and differs by seed', () => {
    const a = frameNoise(7, 10, 50, 20);
    const b = frameNoise(7, 14, 50, 20);
    expect(a).toHaveLength(1000);
    expect(Array.from(b.subarray(0, 46 * 20))).toEqual(Array.from(a.subarray(4 * 20)));
    expect(Array.from(frameNoise(8, 10, 1, 20))).not.toEqual(Array.from(a.subarray(0, 20)));
    expect(Array.from(a.subarray(0, 20))).not.toEqual(Array.from(a.subarray(20, 40)));
  });
});
