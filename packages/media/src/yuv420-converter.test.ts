import { describe, expect, it } from 'vitest';
import { rgbToYuv420 } from './rgb-to-yuv420.ts';
import { createYuv420Converter } from './yuv420-converter.ts';
import { portraitFrames } from './testing/test-support.ts';

/** Bytes of a seeded xorshift generator, so that a failure repeats. */
function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** The first index where the two differ (-1: none), so that a failure names the byte, quickly for large frames. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((value, i) => value !== b[i]);
}

describe('createYuv420Converter', () => {
  it('converts with the WebAssembly SIMD kernel where the frame is at least 16 pixels wide', () => {
    expect(createYuv420Converter(16, 2).simd).toBe(true);
    expect(createYuv420Converter(512, 512).simd).toBe(true);
    expect(createYuv420Converter(14, 2).simd).toBe(false);
    expect(createYuv420Converter(512, 512, { simd: false }).simd).toBe(false);
  });

  it('gives the bytes of rgbToYuv420 for random frames of many sizes, widths not multiples of 16 included', () => {
    const sizes: Array<[number, number]> = [[16, 2], [18, 2], [30, 6], [34, 34], [62, 18], [100, 50], [128, 128], [258, 130], [512, 512], [2, 2], [6, 4], [14, 8]];
    sizes.forEach(([width, height], n) => {
      const converter = createYuv420Converter(width, height);
      for (let frame = 0; frame < 3; frame += 1) {
        const rgb = randomBytes(width * height * 3, 1 + n * 7 + frame);
        expect(firstDifference(converter.convert(rgb), rgbToYuv420(rgb, width, height)), `${width}x${height}, frame ${frame}`).toBe(-1);
      }
    });
  });

  it('gives the bytes of rgbToYuv420 for the extremes of every channel and for a portrait, into a given buffer', async () => {
    const width = 48;
    const height = 4;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < rgb.length; i += 1) rgb[i] = (i * 37) % 3 === 0 ? 255 : (i % 5) * 63;
    expect(createYuv420Converter(width, height).convert(rgb)).toEqual(rgbToYuv420(rgb, width, height));
    for (const value of [0, 255]) {
      const flat = new Uint8Array(width * height * 3).fill(value);
      expect(createYuv420Converter(width, height).convert(flat)).toEqual(rgbToYuv420(flat, width, height));
    }
    const [portrait] = await portraitFrames(1, 128);
    const out = new Uint8Array(128 * 128 * 1.5);
    expect(createYuv420Converter(128, 128).convert(portrait!, out)).toBe(out);
    expect(firstDifference(out, rgbToYuv420(portrait!, 128, 128))).toBe(-1);
  });

  it('rejects odd sizes and buffers of the wrong length as rgbToYuv420 does', () => {
    expect(() => createYuv420Converter(33, 2)).toThrow('width and height must be even and at least 2 (yuv420p). Passed: 33x2');
    const converter = createYuv420Converter(16, 2);
    expect(() => converter.convert(new Uint8Array(10))).toThrow('Frame must be 16x2x3 = 96 bytes of RGB24. Passed: 10 bytes');
    expect(() => converter.convert(new Uint8Array(96), new Uint8Array(5))).toThrow('The yuv420p buffer must be 48 bytes. Passed: 5 bytes');
  });
});
