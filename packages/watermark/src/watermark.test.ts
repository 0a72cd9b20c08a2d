import { describe, expect, it } from 'vitest';
import { detectWatermark } from './detect.ts';
import { embedWatermark } from './embed.ts';
import type { RgbFrame } from './luma.ts';

const SIZE = 256;
const payload = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);

/** A textured test frame: smooth gradients plus seeded noise, shifted per frame. */
function frame(index: number, seed = 1): RgbFrame {
  const data = new Uint8Array(SIZE * SIZE * 3);
  let s = seed * 2654435761 + index;
  for (let y = 0; y < SIZE; y += 1) {
    for (let x = 0; x < SIZE; x += 1) {
      s = (s * 1103515245 + 12345) >>> 0;
      const v = 90 + 60 * Math.sin((x + index) / 23) * Math.cos(y / 31) + ((s >>> 16) % 9) - 4;
      const p = (y * SIZE + x) * 3;
      data[p] = v + 20; data[p + 1] = v; data[p + 2] = v - 20;
    }
  }
  return { width: SIZE, height: SIZE, data };
}

function lumaPsnr(a: Uint8Array, b: Uint8Array): number {
  let mse = 0;
  for (let p = 0; p < a.length; p += 3) {
    const e = 0.299 * ((a[p] ?? 0) - (b[p] ?? 0)) + 0.587 * ((a[p + 1] ?? 0) - (b[p + 1] ?? 0)) + 0.114 * ((a[p + 2] ?? 0) - (b[p + 2] ?? 0));
    mse += e * e;
  }
  return 10 * Math.log10((255 * 255) / (mse / (a.length / 3)));
}

/** Nearest-neighbour crop then scale. */
function cropScale(f: RgbFrame, ox: number, oy: number, side: number, out: number): RgbFrame {
  const data = new Uint8Array(out * out * 3);
  for (let y = 0; y < out; y += 1) {
    for (let x = 0; x < out; x += 1) {
      const sx = ox + Math.floor(((x + 0.5) * side) / out);
      const sy = oy + Math.floor(((y + 0.5) * side) / out);
      for (let c = 0; c < 3; c += 1) data[(y * out + x) * 3 + c] = f.data[(sy * f.width + sx) * 3 + c] ?? 0;
    }
  }
  return { width: out, height: out, data };
}

describe('watermark', () => {
  const marked = Array.from({ length: 3 }, (_, i) => {
    const f = frame(i);
    const clean = Uint8Array.from(f.data);
    embedWatermark(f, payload, i, { key: 'test' });
    return { f, clean };
  });

  it('is invisible: PSNR-Y >= 42 dB', () => {
    for (const { f, clean } of marked) expect(lumaPsnr(clean, f.data)).toBeGreaterThanOrEqual(42);
  });

  it('recovers the payload from the frames as embedded', () => {
    const r = detectWatermark(marked.map((m) => m.f), { key: 'test' });
    expect(r.found).toBe(true);
    expect(Array.from(r.payload ?? [])).toEqual(Array.from(payload));
    expect(r.score).toBeGreaterThanOrEqual(r.threshold);
    expect(r.bitErrors).toBe(0);
  });

  it('recovers it after a crop at an offset', () => {
    const r = detectWatermark(marked.map((m) => cropScale(m.f, 19, 7, 230, 230)), { key: 'test' });
    expect(Array.from(r.payload ?? [])).toEqual(Array.from(payload));
  });

  it('finds nothing with another key or in clean frames', () => {
    expect(detectWatermark(marked.map((m) => m.f), { key: 'other' }).found).toBe(false);
    const clean = detectWatermark([frame(0, 5), frame(1, 5)], { key: 'test' });
    expect(clean.found).toBe(false);
    expect(clean.payload).toBeNull();
  });
});
