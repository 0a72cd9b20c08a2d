import { type ContourProfile, buildContourProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { INNER_LOWER, INNER_UPPER } from '../mesh/landmark-indices.ts';
import { clamp01, sampleBilinear, smoothstep } from '../raster/sample.ts';
import type { MouthColours } from './colour-samples.ts';

/** Visible length of the upper teeth below the upper lip, relative to the mouth width. */
const UPPER_TEETH = 0.13;
/** Opening (relative to mouth width) from which the lower teeth start to show. */
const LOWER_TEETH_FROM = 0.13;
/** Soft edge of painted parts over the lips, pixels. */
const FEATHER = 1.5;

export interface MouthPaintInput {
  width: number;
  height: number;
  source: Uint8Array;
  out: Uint8Array;
  /** Rest (source) and deformed vertex positions. */
  rest: Float32Array;
  pos: Float32Array;
  /** Profile of the source opening (from `rest`). */
  sourceProfile: ContourProfile;
  colours: MouthColours;
  /** Mouth width of the source, pixels. */
  mouthWidth: number;
  /** Vertical size of the face in the frame relative to the source (head scale and pitch). */
  verticalScale: number;
  /** Scratch table of at least 4096 floats. */
  columnMap: Float32Array;
  /** Per source column, how far below the upper lip the source shows teeth (`sourceTeethDepth`). */
  teethDepth: Float32Array;
}

/**
 * For each column of the source opening, the depth below the upper lip down to which the source shows teeth
 * (bright, unsaturated pixels close to the sampled teeth colour); 0 where it shows none.
 */
export function sourceTeethDepth(source: Uint8Array, width: number, height: number, sp: ContourProfile, teeth: readonly number[]): Float32Array {
  const depth = new Float32Array(sp.upper.length);
  const teethLuma = 0.299 * teeth[0]! + 0.587 * teeth[1]! + 0.114 * teeth[2]!;
  for (let a = 0; a < sp.upper.length; a++) {
    const h = sp.lower[a]! - sp.upper[a]!;
    for (let d = 0.25; d < h; d += 0.5) {
      const b = sp.upper[a]! + d;
      sampleBilinear(source, width, height, sp.cornerX + a * sp.axisX + b * sp.normalX, sp.cornerY + a * sp.axisY + b * sp.normalY, tmp);
      const luma = 0.299 * tmp[0]! + 0.587 * tmp[1]! + 0.114 * tmp[2]!;
      const hi = Math.max(tmp[0]!, tmp[1]!, tmp[2]!);
      const lo = Math.min(tmp[0]!, tmp[1]!, tmp[2]!);
      if (luma > 0.72 * teethLuma && hi - lo < 0.22 * hi && tmp[0]! - tmp[1]! < 0.1 * tmp[0]! + 4) depth[a] = d + 0.25;
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

/** Fills `map[a]` with the source column matching destination column `a`, from the lip contour vertices. */
function buildColumnMap(input: MouthPaintInput, dp: ContourProfile, columns: number): void {
  const { rest, pos, sourceProfile: sp, columnMap } = input;
  columnMap.fill(0, 0, columns);
  for (const contour of [INNER_UPPER, INNER_LOWER]) {
    let prevA = 0;
    let prevA0 = 0;
    let k = 0;
    for (let a = 0; a < columns; a++) {
      while (k < contour.length) {
        const v = contour[k]!;
        const ad = Math.max(prevA, (pos[v * 3]! - dp.cornerX) * dp.axisX + (pos[v * 3 + 1]! - dp.cornerY) * dp.axisY);
        if (ad >= a) break;
        prevA = ad;
        prevA0 = (rest[v * 3]! - sp.cornerX) * sp.axisX + (rest[v * 3 + 1]! - sp.cornerY) * sp.axisY;
        k++;
      }
      let a0: number;
      if (k >= contour.length) a0 = sp.length;
      else {
        const v = contour[k]!;
        const ad = Math.max(prevA, (pos[v * 3]! - dp.cornerX) * dp.axisX + (pos[v * 3 + 1]! - dp.cornerY) * dp.axisY);
        const as = (rest[v * 3]! - sp.cornerX) * sp.axisX + (rest[v * 3 + 1]! - sp.cornerY) * sp.axisY;
        a0 = ad > prevA ? prevA0 + ((a - prevA) / (ad - prevA)) * (as - prevA0) : as;
      }
      columnMap[a] = columnMap[a]! + 0.5 * Math.min(sp.length, Math.max(0, a0));
    }
  }
}

const tmp = new Float32Array(3);
const synth = new Float32Array(3);

/** Tooth edges from the midline, as fractions of the mouth width: incisors, lateral incisors, canines, premolars. */
const TOOTH_EDGES = [0, 0.085, 0.15, 0.205, 0.25, 0.3];
const TOOTH_LENGTH = [1, 0.9, 0.95, 0.82, 0.75];
const TOOTH_BRIGHTNESS = [1, 0.96, 0.9, 0.82, 0.75];
const tooth = { length: 1, shade: 1 };

/** Length factor (scalloped lower edge) and shade (darker gaps between teeth) of the painted upper teeth at `s`. */
function toothAt(s: number, mouthWidth: number): { length: number; shade: number } {
  const u = Math.abs(s - 0.5);
  let i = 0;
  while (i < TOOTH_EDGES.length - 2 && u > TOOTH_EDGES[i + 1]!) i++;
  const left = TOOTH_EDGES[i]!;
  const right = TOOTH_EDGES[i + 1]!;
  const local = Math.min(1, (u - left) / (right - left));
  const gapPx = Math.min(u - left, right - u) * mouthWidth;
  tooth.length = TOOTH_LENGTH[i]! * (1 - 0.18 * Math.pow(2 * local - 1, 4));
  tooth.shade = TOOTH_BRIGHTNESS[i]! * (1 - 0.13 * Math.exp(-gapPx * gapPx));
  return tooth;
}

function teethProfile(s: number): number {
  return smoothstep(0.02, 0.2, s) * smoothstep(0.98, 0.8, s);
}

/**
 * Paints the mouth opening (the polygon between the deformed inner lip contours): source interior pixels are
 * reused where the source shows them (upper part moves with the upper lip, lower part with the lower lip), the rest
 * is synthesised (lip shadow falling into darkness, upper teeth under the upper lip, lower teeth and a hint of
 * tongue when the jaw is well open) with a soft edge over the lips.
 */
export function paintMouthInterior(input: MouthPaintInput): void {
  const { width, height, source, out, pos, sourceProfile: sp, colours } = input;
  const dp = buildContourProfile(pos, INNER_UPPER, INNER_LOWER);
  const columns = Math.min(input.columnMap.length, dp.upper.length);
  buildColumnMap(input, dp, columns);
  const scale = 1 / input.verticalScale;
  const mw = input.mouthWidth * (dp.length / sp.length);
  let maxGap = 0;
  for (let a = 0; a < dp.upper.length; a++) maxGap = Math.max(maxGap, dp.lower[a]! - dp.upper[a]!);
  if (maxGap <= 0.05) return;

  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const v of [...INNER_UPPER, ...INNER_LOWER]) {
    minX = Math.min(minX, pos[v * 3]!);
    maxX = Math.max(maxX, pos[v * 3]!);
    minY = Math.min(minY, pos[v * 3 + 1]!);
    maxY = Math.max(maxY, pos[v * 3 + 1]!);
  }
  const x0 = Math.max(0, Math.floor(minX - FEATHER - 1));
  const x1 = Math.min(width - 1, Math.ceil(maxX + FEATHER + 1));
  const y0 = Math.max(0, Math.floor(minY - FEATHER - 1));
  const y1 = Math.min(height - 1, Math.ceil(maxY + FEATHER + 1));
  const upperTeeth = UPPER_TEETH * mw;
  const upperTeethSource = UPPER_TEETH * input.mouthWidth;
  const [lr, lg, lb] = colours.lip;
  const [dr, dg, db] = colours.dark;
  const [tr, tg, tb] = colours.teeth;
  const [gr, gg, gb] = colours.tongue;

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
      if (open <= 0.05) continue;
      const d = b - bu;
      const e = bl - b;
      const edge = Math.min(d, e);
      if (edge < -FEATHER) continue;
      const s = a / dp.length;

      // Synthesised interior: lip shadow into darkness, tongue, lower teeth, upper teeth (back to front).
      const dd = Math.max(0, d);
      const ee = Math.max(0, e);
      const depth = smoothstep(0, Math.max(1.5, 0.3 * open), Math.min(dd, ee));
      const sideDark = 1 - 0.6 * smoothstep(0.25, 0.02, Math.min(s, 1 - s));
      const shadow = 0.42;
      synth[0] = (lr * shadow + (dr - lr * shadow) * depth) * sideDark;
      synth[1] = (lg * shadow + (dg - lg * shadow) * depth) * sideDark;
      synth[2] = (lb * shadow + (db - lb * shadow) * depth) * sideDark;
      const bump = Math.sqrt(Math.max(0, 1 - ((s - 0.5) / 0.45) ** 2));
      const tongueH = Math.min(0.55 * open, 0.2 * mw) * bump;
      if (tongueH > 0.5) {
        const k = clamp01((tongueH - ee) / 2) * smoothstep(0.04 * mw, 0.14 * mw, open);
        const shade = (0.95 - 0.5 * (ee / tongueH)) * (1 - 0.35 * Math.abs(2 * s - 1));
        synth[0] += (gr * shade - synth[0]!) * k;
        synth[1] += (gg * shade - synth[1]!) * k;
        synth[2] += (gb * shade - synth[2]!) * k;
      }
      const lowerShow = smoothstep(LOWER_TEETH_FROM * mw, (LOWER_TEETH_FROM + 0.12) * mw, open);
      const lowerTeeth = 0.03 * mw * lowerShow * smoothstep(0.12, 0.3, s) * smoothstep(0.88, 0.7, s);
      if (lowerTeeth > 0.3) {
        const k = clamp01((lowerTeeth - ee) / 1.2);
        const gap = toothAt(s, 0.8 * mw).shade;
        const shade = 0.88 * gap * (1 - 0.3 * Math.abs(2 * s - 1)) * (0.85 + 0.15 * smoothstep(0, lowerTeeth, ee));
        synth[0] += (tr * shade - synth[0]!) * k;
        synth[1] += (tg * shade - synth[1]!) * k;
        synth[2] += (tb * shade - synth[2]!) * k;
      }
      const tooth = toothAt(s, mw);
      const upperH = upperTeeth * teethProfile(s) * (1 - 0.2 * (2 * s - 1) ** 2) * tooth.length;
      if (upperH > 0.3) {
        const k = clamp01((upperH - dd) / 1.2);
        const shade = (0.97 - 0.3 * (2 * s - 1) ** 2) * (0.72 + 0.28 * smoothstep(0, Math.max(1, 0.25 * upperH), dd)) * tooth.shade *
          (1 - 0.55 * smoothstep(0.25, 0.45, Math.abs(s - 0.5)));
        synth[0] += (tr * shade - synth[0]!) * k;
        synth[1] += (tg * shade - synth[1]!) * k;
        synth[2] += (tb * shade - synth[2]!) * k;
      }

      // Reuse of the source interior: the part under the upper lip follows the upper lip, the rest the lower lip.
      const a0 = sampleColumn(input.columnMap.subarray(0, columns), a);
      const su = sampleColumn(sp.upper, a0);
      const sl = sampleColumn(sp.lower, a0);
      const h0 = Math.max(0, sl - su);
      // Small mismatches of the column mapping under head motion are not a parting of the lips.
      const grown = Math.max(0, open * scale - h0 * 1.08 - 0.6);
      const fade = Math.min(2, grown);
      const margin = Math.min(1.5, grown);
      // Once the lips part further than in the source, only the source's teeth keep following the upper lip;
      // the shadow below them is synthesised.
      const teethEnd = sampleColumn(input.teethDepth, a0) + 1;
      const upperLimit = Math.min(h0 - margin, upperTeethSource, h0 + (Math.min(h0, teethEnd) - h0) * clamp01(grown / 2));
      const lowerLimit = h0 - Math.min(h0, upperTeethSource);
      const du = dd * scale;
      const eu = ee * scale;
      let reuse = 0;
      let srcB = 0;
      if (du < upperLimit) {
        reuse = fade > 0 ? clamp01((upperLimit - du) / fade) : 1;
        srcB = su + du;
      } else if (eu < lowerLimit) {
        reuse = fade > 0 ? clamp01((lowerLimit - eu) / fade) : 1;
        srcB = sl - eu;
      }
      let r = synth[0]!, g = synth[1]!, bl2 = synth[2]!;
      if (reuse > 0) {
        sampleBilinear(source, width, height, sp.cornerX + a0 * sp.axisX + srcB * sp.normalX, sp.cornerY + a0 * sp.axisY + srcB * sp.normalY, tmp);
        r += (tmp[0]! - r) * reuse;
        g += (tmp[1]! - g) * reuse;
        bl2 += (tmp[2]! - bl2) * reuse;
      }
      // An opening that grew only a little is the source interior stretched to fit (no specks of painted
      // darkness); the layered reuse and synthesis take over as it grows.
      const layered = clamp01(grown / 3);
      if (layered < 1 && h0 > 0.25) {
        const stretchB = su + Math.min(1, dd / open) * h0;
        sampleBilinear(source, width, height, sp.cornerX + a0 * sp.axisX + stretchB * sp.normalX, sp.cornerY + a0 * sp.axisY + stretchB * sp.normalY, tmp);
        r = tmp[0]! + (r - tmp[0]!) * layered;
        g = tmp[1]! + (g - tmp[1]!) * layered;
        bl2 = tmp[2]! + (bl2 - tmp[2]!) * layered;
      }
      // Over the lips the painted edge is feathered only where the opening grew beyond the source's.
      const alpha = edge >= 0 ? 1 : (1 + edge / FEATHER) * (1 - reuse) * layered;
      if (alpha <= 0) continue;
      const o = (y * width + x) * 3;
      out[o] = out[o]! + (r - out[o]!) * alpha + 0.5;
      out[o + 1] = out[o + 1]! + (g - out[o + 1]!) * alpha + 0.5;
      out[o + 2] = out[o + 2]! + (bl2 - out[o + 2]!) * alpha + 0.5;
    }
  }
}
