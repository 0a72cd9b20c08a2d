import { describe, expect, it } from 'vitest';
import { fft2d } from './fft.ts';

describe('fft2d', () => {
  it('inverts (up to n^2) and finds a cyclic shift by correlation', () => {
    const n = 16;
    const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 1.7) + ((i * 31) % 7));
    const shifted = new Float64Array(n * n);
    for (let y = 0; y < n; y += 1) for (let x = 0; x < n; x += 1) shifted[((y + 3) % n) * n + ((x + 5) % n)] = a[y * n + x] ?? 0;
    const [ar, ai, br, bi] = [Float64Array.from(shifted), new Float64Array(n * n), Float64Array.from(a), new Float64Array(n * n)];
    fft2d(ar, ai, n, false);
    fft2d(br, bi, n, false);
    const re = new Float64Array(n * n);
    const im = new Float64Array(n * n);
    for (let i = 0; i < re.length; i += 1) {
      re[i] = (ar[i] ?? 0) * (br[i] ?? 0) + (ai[i] ?? 0) * (bi[i] ?? 0);
      im[i] = (ai[i] ?? 0) * (br[i] ?? 0) - (ar[i] ?? 0) * (bi[i] ?? 0);
    }
    fft2d(re, im, n, true);
    let arg = 0;
    for (let i = 1; i < re.length; i += 1) if ((re[i] ?? 0) > (re[arg] ?? 0)) arg = i;
    expect([arg % n, Math.floor(arg / n)]).toEqual([5, 3]);
  });
});
