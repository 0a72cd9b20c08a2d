interface Plan {
  reverse: Uint32Array;
  cos: Float64Array;
  sin: Float64Array;
}

const plans = new Map<number, Plan>();

function planOf(n: number): Plan {
  let plan = plans.get(n);
  if (plan === undefined) {
    if (n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length must be a power of two. Passed: ${n}`);
    const reverse = new Uint32Array(n);
    for (let i = 1, j = 0; i < n; i += 1) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      reverse[i] = j;
    }
    const cos = new Float64Array(n / 2);
    const sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k += 1) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    plan = { reverse, cos, sin };
    plans.set(n, plan);
  }
  return plan;
}

/** In-place iterative radix-2 complex FFT of length n (a power of two); inverse without the 1/n scaling. */
export function fft1d(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const { reverse, cos, sin } = planOf(n);
  for (let i = 1; i < n; i += 1) {
    const j = reverse[i]!;
    if (i < j) {
      const tr = re[i]!; re[i] = re[j]!; re[j] = tr;
      const ti = im[i]!; im[i] = im[j]!; im[j] = ti;
    }
  }
  const direction = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k += 1) {
        const cr = cos[k * step]!;
        const ci = direction * sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const br = re[b]!;
        const bi = im[b]!;
        const xr = br * cr - bi * ci;
        const xi = br * ci + bi * cr;
        const ar = re[a]!;
        const ai = im[a]!;
        re[b] = ar - xr; im[b] = ai - xi;
        re[a] = ar + xr; im[a] = ai + xi;
      }
    }
  }
}

/** In-place 2-D FFT of an n x n array (row-major). */
export function fft2d(re: Float64Array, im: Float64Array, n: number, inverse: boolean): void {
  for (let y = 0; y < n; y += 1) fft1d(re.subarray(y * n, y * n + n), im.subarray(y * n, y * n + n), inverse);
  const r = new Float64Array(n);
  const i2 = new Float64Array(n);
  for (let x = 0; x < n; x += 1) {
    for (let y = 0; y < n; y += 1) { r[y] = re[y * n + x]!; i2[y] = im[y * n + x]!; }
    fft1d(r, i2, inverse);
    for (let y = 0; y < n; y += 1) { re[y * n + x] = r[y]!; im[y * n + x] = i2[y]!; }
  }
}
