import { type ContourProfile, type ProfilePoint, buildContourProfile, locateInProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { clamp01, sampleBilinear, smoothstep } from '../raster/sample.ts';

/** One eye's contours ordered from image left to image right, and its iris centre landmark. */
export interface EyeContours {
  upper: readonly number[];
  lower: readonly number[];
  iris: number;
  /** Iris radius in the source, pixels. */
  irisRadius: number;
}

const rgb = new Float32Array(3);
const left = new Float32Array(3);

function insideOpening(sp: ContourProfile, a: number, b: number): boolean {
  return a > 0.5 && a < sp.length - 0.5 && b > sampleColumn(sp.upper, a) + 0.5 && b < sampleColumn(sp.lower, a) - 0.5;
}

/** Bounds [minX, minY, maxX, maxY] of an eye's contour vertices at positions `pos`. */
export function eyeContourBounds(pos: Float32Array, eye: EyeContours): [number, number, number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const v of [...eye.upper, ...eye.lower]) {
    minX = Math.min(minX, pos[v * 3]!);
    maxX = Math.max(maxX, pos[v * 3]!);
    minY = Math.min(minY, pos[v * 3 + 1]!);
    maxY = Math.max(maxY, pos[v * 3 + 1]!);
  }
  return [minX, minY, maxX, maxY];
}

/** Median colours of the sclera and the iris of one source eye. */
export interface EyeColours {
  sclera: [number, number, number];
  iris: [number, number, number];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Samples the sclera (opening outside the iris disc) and iris colours of a source eye. */
export function sampleEyeColours(image: Uint8Array, width: number, height: number, rest: Float32Array, eye: EyeContours): EyeColours {
  const sp = buildContourProfile(rest, eye.upper, eye.lower);
  const cx = rest[eye.iris * 3]!;
  const cy = rest[eye.iris * 3 + 1]!;
  const radius = Math.max(1, eye.irisRadius);
  const sclera: number[][] = [[], [], []];
  const iris: number[][] = [[], [], []];
  for (let a = 1; a < sp.upper.length - 1; a++) {
    for (let b = sp.upper[a]! + 0.5; b < sp.lower[a]! - 0.5; b += 1) {
      const x = sp.cornerX + a * sp.axisX + b * sp.normalX;
      const y = sp.cornerY + a * sp.axisY + b * sp.normalY;
      sampleBilinear(image, width, height, x, y, rgb);
      const r = Math.hypot(x - cx, y - cy) / radius;
      const bucket = r > 1.15 ? sclera : r < 0.8 ? iris : null;
      if (bucket === null) continue;
      for (let c = 0; c < 3; c++) bucket[c]!.push(rgb[c]!);
    }
  }
  // The sclera is the brighter half of what lies outside the iris (corners and lid shadows are darker).
  const luma = sclera[0]!.map((r, i) => r + sclera[1]![i]! + sclera[2]![i]!);
  const cut = median(luma);
  const bright = (c: number): number[] => sclera[c]!.filter((_, i) => luma[i]! >= cut);
  const pick = (bucket: number[][], c: number, fallback: number): number => (bucket[c]!.length > 0 ? median(bucket[c]!) : fallback);
  return {
    sclera: sclera[0]!.length >= 4 ? [median(bright(0)), median(bright(1)), median(bright(2))] : [215, 205, 200],
    iris: [pick(iris, 0, 80), pick(iris, 1, 55), pick(iris, 2, 40)],
  };
}

export interface EyeballPaintInput {
  width: number;
  height: number;
  source: Uint8Array;
  out: Uint8Array;
  rest: Float32Array;
  /** Vertex positions with the lids where the source has them (a closing lid is drawn over later). */
  pos: Float32Array;
  eye: EyeContours;
  colours: EyeColours;
  sourceProfile: ContourProfile;
  /** Iris shift in source pixels (image orientation). */
  shiftX: number;
  shiftY: number;
}

/**
 * Redraws one eye opening for a gaze change. Working in the source opening (column by column), the iris disc is
 * translated by the gaze shift; iris parts the source hides under the lids get the iris colour; sclera that the iris
 * uncovers is painted in the sclera colour, shaded under the upper lid; elsewhere the source sclera stays.
 */
export function paintEyeball(input: EyeballPaintInput): void {
  const { width, height, source, out, rest, pos, eye, colours, sourceProfile: sp } = input;
  const dp = buildContourProfile(pos, eye.upper, eye.lower);
  const cx = rest[eye.iris * 3]!;
  const cy = rest[eye.iris * 3 + 1]!;
  const radius = Math.max(1, eye.irisRadius);
  // Keep the iris centre inside the opening.
  const centreA = (cx - sp.cornerX) * sp.axisX + (cy - sp.cornerY) * sp.axisY;
  const centreB = (cx - sp.cornerX) * sp.normalX + (cy - sp.cornerY) * sp.normalY;
  const limit = Math.max(0, sp.length / 2 - 0.6 * radius);
  let shiftA = input.shiftX * sp.axisX + input.shiftY * sp.axisY;
  shiftA = Math.min(sp.length / 2 + limit - centreA, Math.max(sp.length / 2 - limit - centreA, shiftA));
  // Vertically the iris stays mostly in the opening (looking far up or down, the lids follow the eye).
  const rowTop = sampleColumn(sp.upper, centreA + shiftA) + 0.25 * radius;
  const rowBottom = sampleColumn(sp.lower, centreA + shiftA) - 0.25 * radius;
  let shiftB = input.shiftX * sp.normalX + input.shiftY * sp.normalY;
  if (rowBottom > rowTop) shiftB = Math.min(rowBottom - centreB, Math.max(rowTop - centreB, shiftB));
  const tx = cx + shiftA * sp.axisX + shiftB * sp.normalX;
  const ty = cy + shiftA * sp.axisY + shiftB * sp.normalY;
  const [minX, minY, maxX, maxY] = eyeContourBounds(pos, eye);
  const x0 = Math.max(0, Math.floor(minX - 1));
  const x1 = Math.min(width - 1, Math.ceil(maxX + 1));
  const y0 = Math.max(0, Math.floor(minY - 1));
  const y1 = Math.min(height - 1, Math.ceil(maxY + 1));
  const [sr, sg, sb] = colours.sclera;
  const [ir, ig, ib] = colours.iris;
  // (1.5 radius) squared as a product: the same double as `** 2`, once, not per pixel.
  const limbusSquared = 1.5 * radius * (1.5 * radius);
  const at: ProfilePoint = { a: 0, b: 0, upper: 0, lower: 0 };
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!locateInProfile(dp, x, y, at)) continue;
      const { a, b, upper: bu, lower: bl } = at;
      const open = bl - bu;
      if (b < bu - 0.5 || b > bl + 0.5 || open <= 0.01) continue;
      const a0 = (a / dp.length) * sp.length;
      const su = sampleColumn(sp.upper, a0);
      const sl = sampleColumn(sp.lower, a0);
      const t = Math.min(1, Math.max(0, (b - bu) / open));
      const sbv = su + t * (sl - su);
      const qx = sp.cornerX + a0 * sp.axisX + sbv * sp.normalX;
      const qy = sp.cornerY + a0 * sp.axisY + sbv * sp.normalY;
      // Sclera layer: the source where it shows sclera, painted sclera where the iris used to be.
      sampleBilinear(source, width, height, qx, qy, rgb);
      let r = rgb[0]!, g = rgb[1]!, bb = rgb[2]!;
      const oldDist = Math.hypot(qx - cx, qy - cy) / radius;
      // Wide enough to take the dark limbal ring along (a narrower mask left a ghost of the old iris outline).
      const wasIris = smoothstep(1.5, 1.2, oldDist);
      if (wasIris > 0) {
        // Uncovered sclera: interpolate the source sclera found left and right of the old iris on this row.
        const qa = a0;
        const qb = sbv;
        const dbRow = qb - centreB;
        const half = Math.sqrt(Math.max(0, limbusSquared - dbRow * dbRow)) + 0.5;
        const la = centreA - half;
        const ra = centreA + half;
        const leftOk = insideOpening(sp, la, qb);
        const rightOk = insideOpening(sp, ra, qb);
        const mix = leftOk && rightOk ? Math.min(1, Math.max(0, (qa - la) / (ra - la))) : rightOk ? 1 : 0;
        sampleBilinear(source, width, height, sp.cornerX + la * sp.axisX + qb * sp.normalX, sp.cornerY + la * sp.axisY + qb * sp.normalY, left);
        sampleBilinear(source, width, height, sp.cornerX + ra * sp.axisX + qb * sp.normalX, sp.cornerY + ra * sp.axisY + qb * sp.normalY, rgb);
        let fr: number, fg: number, fb: number;
        const shade = 0.8 + 0.2 * smoothstep(0, 0.45, t);
        fr = sr * shade;
        fg = sg * shade;
        fb = sb * shade;
        if (leftOk || rightOk) {
          // Some of the found sclera (keeps its shading) where it is sclera-bright; lid shadow or a corner found
          // beside the old iris would paint a dull mauve patch, so darker finds count less.
          const fr2 = left[0]! + (rgb[0]! - left[0]!) * mix;
          const fg2 = left[1]! + (rgb[1]! - left[1]!) * mix;
          const fb2 = left[2]! + (rgb[2]! - left[2]!) * mix;
          const found = (fr2 + fg2 + fb2) / Math.max(1, sr + sg + sb);
          const w = 0.4 * smoothstep(0.7, 0.92, found);
          fr += (fr2 - fr) * w;
          fg += (fg2 - fg) * w;
          fb += (fb2 - fb) * w;
        }
        r += (fr - r) * wasIris;
        g += (fg - g) * wasIris;
        bb += (fb - bb) * wasIris;
      }
      // Iris layer: the source iris translated by the shift.
      const irisDist = Math.hypot(qx - tx, qy - ty) / radius;
      const cover = clamp01((1 - irisDist) * radius + 0.5);
      if (cover > 0) {
        const fx = qx - (tx - cx);
        const fy = qy - (ty - cy);
        const fa = (fx - sp.cornerX) * sp.axisX + (fy - sp.cornerY) * sp.axisY;
        const fb = (fx - sp.cornerX) * sp.normalX + (fy - sp.cornerY) * sp.normalY;
        const hidden = fa <= 0 || fa >= sp.length || fb < sampleColumn(sp.upper, fa) + 0.5 || fb > sampleColumn(sp.lower, fa) - 0.5;
        if (hidden) {
          rgb[0] = ir;
          rgb[1] = ig;
          rgb[2] = ib;
        } else sampleBilinear(source, width, height, fx, fy, rgb);
        r += (rgb[0]! - r) * cover;
        g += (rgb[1]! - g) * cover;
        bb += (rgb[2]! - bb) * cover;
      }
      const k = clamp01(Math.min(b - bu, bl - b) + 0.5);
      const o = (y * width + x) * 3;
      out[o] = out[o]! + (r - out[o]!) * k + 0.5;
      out[o + 1] = out[o + 1]! + (g - out[o + 1]!) * k + 0.5;
      out[o + 2] = out[o + 2]! + (bb - out[o + 2]!) * k + 0.5;
    }
  }
}

export interface LashLineInput {
  width: number;
  height: number;
  out: Uint8Array;
  /** Final vertex positions (lid closed by `closure`). */
  pos: Float32Array;
  eye: EyeContours;
  closure: number;
}

/**
 * Darkens a soft band along the lowered upper-lid edge so that a closing lid reads as a lash line, not a smear.
 */
export function paintLashLine(input: LashLineInput): void {
  const { width, height, out, pos, eye, closure } = input;
  if (closure <= 0.05) return;
  const dp = buildContourProfile(pos, eye.upper, eye.lower);
  const thickness = Math.max(0.8, 0.045 * dp.length) * smoothstep(0.05, 0.5, closure);
  const strength = 0.45 * smoothstep(0.05, 0.6, closure);
  const [minX, minY, maxX, maxY] = eyeContourBounds(pos, eye);
  const x0 = Math.max(0, Math.floor(minX));
  const x1 = Math.min(width - 1, Math.ceil(maxX));
  const y0 = Math.max(0, Math.floor(minY - thickness - 2));
  const y1 = Math.min(height - 1, Math.ceil(maxY + 2));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const px = x + 0.5 - dp.cornerX;
      const py = y + 0.5 - dp.cornerY;
      const a = px * dp.axisX + py * dp.axisY;
      if (a <= 0 || a >= dp.length) continue;
      const s = a / dp.length;
      const b = px * dp.normalX + py * dp.normalY;
      const edge = sampleColumn(dp.upper, a);
      const dist = edge - b;
      if (dist < -1 || dist > thickness + 1) continue;
      const k = strength * clamp01(dist + 1) * clamp01(thickness + 1 - dist) * smoothstep(0, 0.2, Math.min(s, 1 - s));
      const o = (y * width + x) * 3;
      out[o] = out[o]! * (1 - k) + 0.5;
      out[o + 1] = out[o + 1]! * (1 - k) + 0.5;
      out[o + 2] = out[o + 2]! * (1 - k) + 0.5;
    }
  }
}
