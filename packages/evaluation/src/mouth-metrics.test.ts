import { describe, expect, it } from 'vitest';
import { bestLag, mouthOpening, pearson, rigidJitter, rigidShapeDrift, scorePhones, seamRatio, RIGID_POINTS } from './mouth-metrics.ts';
import { framesOf, phoneClass } from './phones.ts';

function face(gap: number, transform: (x: number, y: number) => [number, number] = (x, y) => [x, y]): Float32Array {
  const landmarks = new Float32Array(478 * 3);
  const set = (i: number, x: number, y: number): void => {
    const [tx, ty] = transform(x, y);
    landmarks[i * 3] = tx;
    landmarks[i * 3 + 1] = ty;
  };
  RIGID_POINTS.forEach((i, k) => set(i, 100 + 13 * k, 80 + ((k * 37) % 29)));
  set(33, 80, 100);
  set(263, 180, 100);
  set(61, 100, 200);
  set(291, 160, 200);
  set(13, 130, 198 - gap * 30);
  set(14, 130, 198 + gap * 30);
  return landmarks;
}

describe('mouth metrics', () => {
  it('measures the inner-lip gap against the mouth width', () => {
    expect(mouthOpening(face(0))).toBeCloseTo(0, 6);
    expect(mouthOpening(face(0.5))).toBeCloseTo(0.5, 6);
  });

  it('scores closure on p/b/m, opening on open vowels and closure in long silences', () => {
    const fps = 25;
    const phones = [
      { phone: 'sil', start: 0, end: 0.4 },
      { phone: 'b', start: 0.4, end: 0.48 },
      { phone: 'aa', start: 0.48, end: 0.64 },
      { phone: 'm', start: 0.64, end: 0.72 },
      { phone: 'ae', start: 0.72, end: 0.88 },
      { phone: 'sil', start: 0.88, end: 1.2 },
      { phone: 'ah', start: 1.2, end: 1.24 },
    ];
    const opening = Array.from({ length: 31 }, (_, f) => {
      const t = (f + 0.5) / fps;
      if (t < 0.4 || (t >= 0.92 && t < 1.2)) return 0.02;
      if (t >= 1.2) return 0.1; // a reduced 40 ms vowel: not scored
      if (t < 0.48) return 0.03;
      if (t < 0.64) return 0.35;
      if (t < 0.72) return 0.15;
      return 0.3;
    });
    const scores = scorePhones(opening, phones, fps);
    expect(scores).toEqual({ bilabials: 2, bilabialsClosed: 1, openVowels: 2, openVowelsOpened: 2, silentFrames: 10, silentFramesClosed: 10 });
  });

  it('finds the lag of a delayed curve', () => {
    const a = Array.from({ length: 80 }, (_, i) => Math.sin(i * 0.4) + Math.sin(i * 0.13));
    const b = a.map((_, i) => a[Math.max(0, i - 2)]!);
    expect(bestLag(a, b, 5)).toBe(2);
    expect(pearson(a, a)).toBeCloseTo(1, 9);
  });

  it('sees no drift under a similarity transform and some under a shear', () => {
    const reference = face(0.1);
    const rotated = face(0.1, (x, y) => [0.8 * (x * Math.cos(0.2) - y * Math.sin(0.2)) + 30, 0.8 * (x * Math.sin(0.2) + y * Math.cos(0.2)) - 7]);
    const sheared = face(0.1, (x, y) => [x + 0.2 * y, y]);
    expect(rigidShapeDrift(reference, rotated)).toBeLessThan(1e-5);
    expect(rigidShapeDrift(reference, sheared)).toBeGreaterThan(0.01);
  });

  it('sees no jitter in uniform motion and some in shaking', () => {
    const steady = Array.from({ length: 6 }, (_, f) => face(0.1, (x, y) => [x + 2 * f, y]));
    const shaking = Array.from({ length: 6 }, (_, f) => face(0.1, (x, y) => [x + (f % 2) * 3, y]));
    expect(rigidJitter(steady)).toBeLessThan(1e-6);
    expect(rigidJitter(shaking)).toBeGreaterThan(0.05);
  });

  it('compares changes at segment boundaries with changes elsewhere', () => {
    const opening = Array.from({ length: 100 }, (_, f) => (f % 2) * 0.1 + (f >= 50 ? 0.3 : 0));
    expect(seamRatio(opening, [50])).toBeGreaterThan(2);
    expect(seamRatio(Array.from({ length: 100 }, (_, f) => (f % 2) * 0.1), [50])).toBeCloseTo(1, 1);
  });

  it('classes phones and maps spans to frames', () => {
    expect(['P', 'b', 'm', 'aa1', 'sil', 'pau', 'iy'].map(phoneClass)).toEqual(['bilabial', 'bilabial', 'bilabial', 'open-vowel', 'silence', 'silence', 'other']);
    expect(framesOf({ start: 0.4, end: 0.48 }, 25, 100)).toEqual([10, 11]);
    expect(framesOf({ start: 0.4, end: 0.48 }, 25, 100, 1)).toEqual([9, 10, 11, 12]);
  });
});
