import { type ContourProfile, buildContourProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { clamp01, sampleBilinear, smoothstep } from '../raster/sample.ts';

/** One eye's contours ordered from image left to image right, and its iris centre landmark. */
export interface EyeContours {
  upper: readonly number[];
  lower: readonly number[];
  iris: number;
  /** Iris radius in the source, pixels. */
  irisRadius: number;
}

export interface EyePaintInput {
  width: number;
  height: number;
  source: Uint8Array;
  out: Uint8Array;
  rest: Float32Array;
  pos: Float32Array;
  eye: EyeContours;
  sourceProfile: ContourProfile;
  /** Extra lid closure in [0, 1]: share of the remaining opening covered by the upper lid. */
  closure: number;
  /** Iris shift in source pixels (already in image orientation). */
  shiftX: number;
  shiftY: number;
}

const rgb = new Float32Array(3);
const lid = new Float32Array(3);

/**
 * Redraws one eye opening: the eyeball is resampled column by column from the source opening with the iris pushed
 * by the gaze shift (the lids clip it), then the upper lid is painted down over `closure` of the opening with skin
 * sampled just above the source lid, a darker lash line at its edge and no iris showing through.
 */
export function paintEye(input: EyePaintInput): void {
  const { width, height, source, out, rest, pos, eye, sourceProfile: sp, closure } = input;
  const dp = buildContourProfile(pos, eye.upper, eye.lower);
  const scale = sp.length / dp.length;
  const irisX = rest[eye.iris * 3]!;
  const irisY = rest[eye.iris * 3 + 1]!;
  const radius = Math.max(1, eye.irisRadius);
  const lashWidth = Math.max(1.2, 0.07 * dp.length);
  const cover = closure > 0 ? 1.2 * Math.min(1, closure * 4) : 0;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const v of [...eye.upper, ...eye.lower]) {
    minX = Math.min(minX, pos[v * 3]!);
    maxX = Math.max(maxX, pos[v * 3]!);
    minY = Math.min(minY, pos[v * 3 + 1]!);
    maxY = Math.max(maxY, pos[v * 3 + 1]!);
  }
  const x0 = Math.max(0, Math.floor(minX - 2));
  const x1 = Math.min(width - 1, Math.ceil(maxX + 2));
  const y0 = Math.max(0, Math.floor(minY - 3));
  const y1 = Math.min(height - 1, Math.ceil(maxY + 2));
  const centre = (sampleColumn(sp.lower, sp.length / 2) - sampleColumn(sp.upper, sp.length / 2));
  const band = Math.max(1.5, 0.45 * centre);
  const lashGap = Math.max(1, 0.18 * centre);

  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - dp.cornerX;
      const py = y + 0.5 - dp.cornerY;
      const a = px * dp.axisX + py * dp.axisY;
      if (a <= 0 || a >= dp.length) continue;
      const b = px * dp.normalX + py * dp.normalY;
      const bu = sampleColumn(dp.upper, a);
      const bl = sampleColumn(dp.lower, a);
      const open = bl - bu;
      if (b > bl || b < bu - cover) continue;
      const o = (y * width + x) * 3;
      const s = a / dp.length;
      const a0 = s * sp.length;
      const su = sampleColumn(sp.upper, a0);
      const sl = sampleColumn(sp.lower, a0);
      let r = out[o]!, g = out[o + 1]!, bb = out[o + 2]!;
      if (b >= bu && open > 0.01) {
        const t = (b - bu) / open;
        const sb = su + t * (sl - su);
        let sx = sp.cornerX + a0 * sp.axisX + sb * sp.normalX;
        let sy = sp.cornerY + a0 * sp.axisY + sb * sp.normalY;
        const dx = sx - input.shiftX - irisX;
        const dy = sy - input.shiftY - irisY;
        const push = smoothstep(2.2, 1.0, Math.hypot(dx, dy) / radius);
        sx -= input.shiftX * push;
        sy -= input.shiftY * push;
        sampleBilinear(source, width, height, sx, sy, rgb);
        r = rgb[0]!;
        g = rgb[1]!;
        bb = rgb[2]!;
      }
      if (closure > 0) {
        const edge = bu + closure * Math.max(0, open);
        const top = bu - cover;
        if (b < edge + 1) {
          const tau = clamp01((b - top) / Math.max(0.5, edge - top));
          const sb = su - lashGap - (1 - tau) * band;
          sampleBilinear(source, width, height, sp.cornerX + a0 * sp.axisX + sb * sp.normalX, sp.cornerY + a0 * sp.axisY + sb * sp.normalY, lid);
          const shade = 1 - 0.12 * tau;
          let lr = lid[0]! * shade, lg = lid[1]! * shade, lb = lid[2]! * shade;
          const lash = smoothstep(edge - lashWidth * scale, edge - 0.2 * lashWidth, b) * Math.min(1, 0.4 + closure);
          const dark = 0.3;
          lr += (lid[0]! * dark - lr) * lash;
          lg += (lid[1]! * dark - lg) * lash;
          lb += (lid[2]! * dark - lb) * lash;
          const k = b <= edge ? (b >= bu ? 1 : clamp01((b - top) / Math.max(0.5, cover))) : 1 - (b - edge);
          r += (lr - r) * k;
          g += (lg - g) * k;
          bb += (lb - bb) * k;
        }
      }
      out[o] = r + 0.5;
      out[o + 1] = g + 0.5;
      out[o + 2] = bb + 0.5;
    }
  }
}

export function eyeSourceProfile(rest: Float32Array, eye: EyeContours): ContourProfile {
  return buildContourProfile(rest, eye.upper, eye.lower);
}
