import type { ContourProfile } from '../geometry/contour-profile.ts';
import { sampleBilinear } from '../raster/sample.ts';

const tmp = new Float32Array(3);

/**
 * For each column of the source opening, the depth below the upper lip down to which the source shows teeth
 * (bright, unsaturated pixels close to the sampled teeth colour); 0 where it shows none.
 */
export function sourceTeethDepth(source: Uint8Array, width: number, height: number, sp: ContourProfile, teeth: readonly number[]): Float32Array {
  const depth = new Float32Array(sp.upper.length);
  const teethLuma = 0.299 * teeth[0]! + 0.587 * teeth[1]! + 0.114 * teeth[2]!;
  // Pixels count as teeth when no more saturated, and no redder, than the sampled teeth colour allows.
  const teethHi = Math.max(teeth[0]!, teeth[1]!, teeth[2]!);
  const saturation = Math.max(0.22, (teethHi - Math.min(teeth[0]!, teeth[1]!, teeth[2]!)) / teethHi + 0.08);
  const redness = Math.max(0.1, (teeth[0]! - teeth[1]!) / teeth[0]! + 0.05);
  for (let a = 0; a < sp.upper.length; a++) {
    const h = sp.lower[a]! - sp.upper[a]!;
    for (let d = 0.25; d < h; d += 0.5) {
      const b = sp.upper[a]! + d;
      sampleBilinear(source, width, height, sp.cornerX + a * sp.axisX + b * sp.normalX, sp.cornerY + a * sp.axisY + b * sp.normalY, tmp);
      const luma = 0.299 * tmp[0]! + 0.587 * tmp[1]! + 0.114 * tmp[2]!;
      const hi = Math.max(tmp[0]!, tmp[1]!, tmp[2]!);
      const lo = Math.min(tmp[0]!, tmp[1]!, tmp[2]!);
      if (luma > 0.72 * teethLuma && hi - lo < saturation * hi && tmp[0]! - tmp[1]! < redness * tmp[0]! + 4) depth[a] = d + 0.25;
    }
  }
  // Teeth do not end column by column: widen by a few columns and smooth so the reused teeth fade out gently.
  const reach = Math.max(2, Math.round(sp.length * 0.04));
  const widened = depth.map((_, a) => {
    let best = 0;
    for (let k = Math.max(0, a - reach); k <= Math.min(depth.length - 1, a + reach); k++) best = Math.max(best, depth[k]!);
    return Math.min(best, sp.lower[a]! - sp.upper[a]!);
  });
  return widened.map((_, a) => {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, a - reach); k <= Math.min(depth.length - 1, a + reach); k++, n++) sum += widened[k]!;
    return Math.min(widened[a]!, sum / n);
  });
}
