import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, IDENTITY, invertAffine, squareToImage, type Affine } from './affine.ts';

const close = (a: Affine, b: Affine, tolerance = 1e-9): void => a.forEach((v, i) => expect(Math.abs(v - (b[i] ?? NaN))).toBeLessThan(tolerance));

describe('affine transforms', () => {
  it('inverts and composes to the identity', () => {
    const m: Affine = [1.7, -0.4, 12.5, 0.3, 2.1, -7];
    close(composeAffine(invertAffine(m), m), IDENTITY);
    close(composeAffine(m, invertAffine(m)), IDENTITY);
    const [x, y] = applyAffine(m, 3, -2);
    const [bx, by] = applyAffine(invertAffine(m), x, y);
    expect(bx).toBeCloseTo(3, 12);
    expect(by).toBeCloseTo(-2, 12);
  });

  it('applies the inner transform first', () => {
    const shift: Affine = [1, 0, 10, 0, 1, 0];
    const double: Affine = [2, 0, 0, 0, 2, 0];
    expect(applyAffine(composeAffine(double, shift), 1, 1)).toEqual([22, 2]);
    expect(applyAffine(composeAffine(shift, double), 1, 1)).toEqual([12, 2]);
  });

  it('refuses a singular matrix', () => {
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(/not invertible/);
  });

  it('maps a rotated square crop onto its image region, mirrored on request', () => {
    const region = { centerX: 100, centerY: 50, size: 40, angle: Math.PI / 2 };
    const m = squareToImage(region, 20);
    expect(applyAffine(m, 10, 10)).toEqual([100, 50]);
    // Crop +x runs along image +y when the square is turned a quarter clockwise.
    const [x, y] = applyAffine(m, 20, 10);
    expect(x).toBeCloseTo(100, 9);
    expect(y).toBeCloseTo(70, 9);
    const mirrored = squareToImage(region, 20, true);
    const [mx, my] = applyAffine(mirrored, 20, 10);
    expect(mx).toBeCloseTo(100, 9);
    expect(my).toBeCloseTo(30, 9);
  });
});
