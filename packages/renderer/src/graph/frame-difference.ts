/** How two RGB frames (or two runs of frames) differ: per channel max and mean absolute difference, and PSNR. */
export interface FrameDifference {
  /** Largest absolute difference per channel (R, G, B). */
  max: [number, number, number];
  /** Mean absolute difference per channel over every pixel. */
  mean: [number, number, number];
  /** Peak signal-to-noise ratio over all channels, dB (Infinity when equal). */
  psnr: number;
  /** Share of bytes that differ at all. */
  differing: number;
}

/** Compares `a` with `b` (RGB bytes of the same length, any number of frames back to back). */
export function frameDifference(a: Uint8Array, b: Uint8Array): FrameDifference {
  if (a.length !== b.length || a.length % 3 !== 0) throw new RangeError(`frames must be RGB of one length, got ${a.length} and ${b.length} bytes`);
  const max: [number, number, number] = [0, 0, 0];
  const sum = [0, 0, 0];
  let squares = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d === 0) continue;
    const c = i % 3;
    if (d > max[c]!) max[c] = d;
    sum[c] = sum[c]! + d;
    squares += d * d;
    differing++;
  }
  const pixels = a.length / 3;
  const mse = squares / a.length;
  return {
    max,
    mean: [sum[0]! / pixels, sum[1]! / pixels, sum[2]! / pixels],
    psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse),
    differing: differing / a.length,
  };
}
