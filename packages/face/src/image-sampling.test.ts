import { describe, expect, it } from 'vitest';
import type { RgbImage } from './decode-image.ts';
import { ImagePyramid } from './image-pyramid.ts';
import { sampleTensor } from './image-sampling.ts';

function image(width: number, height: number, value: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(value(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

describe('crop sampling', () => {
  it('maps 0..255 onto the requested range and reads pixel centres exactly', () => {
    const ramp = image(4, 1, (x) => x * 85);
    const out = sampleTensor(ramp, { size: 4, toImage: [1, 0, 0, 0, 1, 0], range: [-1, 1], border: 'replicate' });
    const firstRow = Array.from(out.subarray(0, 12).filter((_, i) => i % 3 === 0));
    firstRow.forEach((v, i) => expect(v).toBeCloseTo(-1 + (2 * i) / 3, 6));
  });

  it('averages when it shrinks, so a fine checkerboard turns grey', () => {
    const checker = image(64, 64, (x, y) => ((x + y) % 2 === 0 ? 0 : 255));
    const out = sampleTensor(checker, { size: 16, toImage: [4, 0, 0, 0, 4, 0], range: [0, 255], border: 'replicate' });
    for (const v of out) expect(v).toBeCloseTo(127.5, 3);
  });

  it('reads black outside the image in black border mode and the edge in replicate mode', () => {
    const white = image(4, 4, () => 255);
    const shifted: [number, number, number, number, number, number] = [1, 0, 100, 0, 1, 100];
    expect(sampleTensor(white, { size: 2, toImage: shifted, range: [0, 1], border: 'black' }).every((v) => v === 0)).toBe(true);
    expect(sampleTensor(white, { size: 2, toImage: shifted, range: [0, 1], border: 'replicate' }).every((v) => v === 1)).toBe(true);
  });

  it('samples a shrunk copy for strong reductions with nearly the same result', async () => {
    const smooth = image(800, 600, (x, y) => Math.round(127 + 100 * Math.sin(x / 60) * Math.cos(y / 45)));
    const options = { size: 64, toImage: [9, 0, 50, 0, 9, 20] as const, range: [0, 255] as const, border: 'replicate' as const };
    const direct = sampleTensor(smooth, options);
    const viaPyramid = await new ImagePyramid(smooth).sample(options);
    let worst = 0;
    direct.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (viaPyramid[i] ?? NaN)))));
    expect(worst).toBeLessThan(4);
  });
});
