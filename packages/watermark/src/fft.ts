/** In-place iterative radix-2 complex FFT of length n (a power of two); inverse without the 1/n scaling. */
export function fft1d(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i] ?? 0; re[i] = re[j] ?? 0; re[j] = tr;
      const ti = im[i] ?? 0; im[i] = im[j] ?? 0; im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < n; start += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k += 1) {
        const a = start + k;
        const b = a + len / 2;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        re[b] = (re[a] ?? 0) - xr; im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr; im[a] = (im[a] ?? 0) + xi;
        const ncr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = ncr;
      }
    }
  }
}

/** In-place 2-D FFT of an n x n array (row-major). */
export function fft2d(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  const r = new Float64Array(n);
  const i2 = new Float64Array(n);
  for (let y = 0; y < n; y += 1) {
    r.set(re.subarray(y * n, y * n + n)); i2.set(im.subarray(y * n, y * n + n));
    fft1d(r, i2, inverse);
    re.set(r, y * n); im.set(i2, y * n);
  }
  for (let x = 0; x < n; x += 1) {
    for (let y = 0; y < n; y += 1) { r[y] = re[y * n + x] ?? 0; i2[y] = im[y * n + x] ?? 0; }
    fft1d(r, i2, inverse);
    for (let y = 0; y < n; y += 1) { re[y * n + x] = r[y] ?? 0; im[y * n + x] = i2[y] ?? 0; }
  }
}
