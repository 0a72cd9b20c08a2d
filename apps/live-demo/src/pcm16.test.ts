import { describe, expect, it } from 'vitest';
import { ChunkCutter, StreamResampler, toPcm16 } from './pcm16.ts';

describe('toPcm16', () => {
  it('writes little-endian 16-bit samples, clipped', () => {
    const bytes = toPcm16(Float32Array.from([0, 1, -1, 2, 0.5]));
    const view = new DataView(bytes.buffer);
    expect([0, 1, 2, 3, 4].map((i) => view.getInt16(i * 2, true))).toEqual([0, 32767, -32767, 32767, 16384]);
  });
});

describe('StreamResampler', () => {
  it('resamples 48 kHz to 16 kHz the same whatever the block sizes', () => {
    const input = Float32Array.from({ length: 4800 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
    const whole = new StreamResampler(48000).push(input);
    const blocks = new StreamResampler(48000);
    const parts: number[] = [];
    for (let at = 0; at < input.length; at += 128) parts.push(...blocks.push(input.subarray(at, at + 128)));
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 6);
    expect(whole.length).toBeGreaterThanOrEqual(1599);
    // A 440 Hz sine at 16 kHz.
    for (let i = 0; i < 100; i++) expect(whole[i]).toBeCloseTo(Math.sin((2 * Math.PI * 440 * i) / 16000), 2);
  });

  it('resamples 44.1 kHz to the right number of samples', () => {
    const r = new StreamResampler(44100);
    let n = 0;
    for (let k = 0; k < 100; k++) n += r.push(new Float32Array(441)).length;
    expect(Math.abs(n - 16000)).toBeLessThanOrEqual(1);
  });
});

describe('ChunkCutter', () => {
  it('cuts 20 ms chunks and flushes the rest', () => {
    const cutter = new ChunkCutter();
    expect(cutter.push(new Float32Array(300))).toEqual([]);
    const chunks = cutter.push(new Float32Array(400));
    expect(chunks.map((c) => c.length)).toEqual([640, 640]);
    expect(cutter.flush()!.length).toBe(120);
    expect(cutter.flush()).toBeNull();
  });
});
