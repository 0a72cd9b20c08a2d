import { type ContourProfile, type ProfilePoint, buildContourProfile, locateInProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { INNER_LOWER, INNER_UPPER } from '../mesh/landmark-indices.ts';
import { clamp01, sampleBilinear, smoothstep } from '../raster/sample.ts';
import type { MouthColours } from './colour-samples.ts';
import { UPPER_TEETH, synthesiseInterior } from './mouth-synthesis.ts';

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
// Written before it is read; NaN so that V8 stores the fields as doubles from the start (see mouth-synthesis.ts).
const point = { s: NaN, d: NaN, e: NaN, open: NaN, mouthWidth: NaN };

const luma = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * Paints the mouth opening (the polygon between the deformed inner lip contours). Where the lips part less than in
 * the source, the source interior stays under the upper lip (the lower lip covers the rest) and falls into the
 * lips' shadow as the gap narrows, so small openings read as a dark slit rather than a row of teeth. Where they part
 * further, the source's teeth keep following the upper lip and the rest is synthesised (`synthesiseInterior`), with
 * a soft edge over the lips. Reused source pixels never go darker than the interior's own dark colour (the dark gaps
 * at a smiling source's corners would otherwise show as black specks).
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
  const upperTeethSource = UPPER_TEETH * input.mouthWidth;
  const dark = colours.dark;
  const floor = 0.9 * luma(dark[0], dark[1], dark[2]);
  let sourceMaxGap = 0;
  for (let a = 0; a < sp.upper.length; a++) sourceMaxGap = Math.max(sourceMaxGap, sp.lower[a]! - sp.upper[a]!);
  // How far the mouth moved from the source's opening (0 keeps the neutral frame exact).
  const moved = clamp01(Math.abs(maxGap * scale - sourceMaxGap));
  point.mouthWidth = mw;

  const columnMap = input.columnMap.subarray(0, columns);
  const at: ProfilePoint = { a: 0, b: 0, upper: 0, lower: 0 };
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!locateInProfile(dp, x, y, at)) continue;
      const { a, b, upper: bu, lower: bl } = at;
      const open = bl - bu;
      if (open <= 0.05) continue;
      const d = b - bu;
      const e = bl - b;
      const edge = Math.min(d, e);
      if (edge < -FEATHER) continue;
      const s = a / dp.length;
      const dd = Math.max(0, d);
      const ee = Math.max(0, e);

      // Reuse of the source interior: the part under the upper lip follows the upper lip, the rest the lower lip.
      const a0 = sampleColumn(columnMap, a);
      const su = sampleColumn(sp.upper, a0);
      const sl = sampleColumn(sp.lower, a0);
      const h0 = Math.max(0, sl - su);
      // Small mismatches of the column mapping under head motion are not a parting of the lips.
      const grown = Math.max(0, open * scale - h0 * 1.08 - 0.6);
      const fade = Math.min(2, grown);
      const margin = Math.min(1.5, grown);
      const layered = clamp01(grown / 3);
      // Once the lips part further than in the source, only the source's teeth keep following the upper lip;
      // the shadow below them is synthesised, and the source's dark corner gaps give way to the painted corners.
      const teethEnd = sampleColumn(input.teethDepth, a0) + 1;
      const upperLimit = Math.min(h0 - margin, upperTeethSource, h0 + (Math.min(h0, teethEnd) - h0) * clamp01(grown / 2));
      const lowerLimit = h0 - Math.min(h0, upperTeethSource);
      const du = dd * scale;
      const eu = ee * scale;
      const cornerKeep = 1 - layered * smoothstep(0.14, 0.04, Math.min(s, 1 - s));
      let reuse = 0;
      let srcB = 0;
      if (du < upperLimit) {
        // Columns where the source's teeth run out fade sideways too, not with a vertical edge.
        const teethKeep = 1 - layered * smoothstep(8, 2, teethEnd);
        reuse = (fade > 0 ? clamp01((upperLimit - du) / fade) : 1) * cornerKeep * teethKeep;
        srcB = su + du;
      } else if (eu < lowerLimit) {
        reuse = (fade > 0 ? clamp01((lowerLimit - eu) / fade) : 1) * cornerKeep;
        srcB = sl - eu;
      }
      // Over the lips the painted edge is feathered only where the opening grew beyond the source's.
      const alpha = edge >= 0 ? 1 : (1 + edge / FEATHER) * (1 - reuse) * layered;
      if (alpha <= 0) continue;
      point.s = s;
      point.d = dd;
      point.e = ee;
      point.open = open;
      synthesiseInterior(point, colours, synth);
      let r = synth[0]!, g = synth[1]!, bl2 = synth[2]!;
      if (reuse > 0) {
        sampleBilinear(source, width, height, sp.cornerX + a0 * sp.axisX + srcB * sp.normalX, sp.cornerY + a0 * sp.axisY + srcB * sp.normalY, tmp);
        r += (tmp[0]! - r) * reuse;
        g += (tmp[1]! - g) * reuse;
        bl2 += (tmp[2]! - bl2) * reuse;
      }
      // An opening that did not grow shows the source interior hanging from the upper lip (the lower lip covers the
      // rest), falling into the synthesised shadow as the gap narrows; the layered reuse takes over as it grows.
      if (layered < 1 && h0 > 0.25) {
        const coverB = su + Math.min(h0, du);
        sampleBilinear(source, width, height, sp.cornerX + a0 * sp.axisX + coverB * sp.normalX, sp.cornerY + a0 * sp.axisY + coverB * sp.normalY, tmp);
        const light = smoothstep(0.2, 0.95, (open * scale) / h0);
        const cr = synth[0]! + (tmp[0]! - synth[0]!) * light;
        const cg = synth[1]! + (tmp[1]! - synth[1]!) * light;
        const cb = synth[2]! + (tmp[2]! - synth[2]!) * light;
        r = cr + (r - cr) * layered;
        g = cg + (g - cg) * layered;
        bl2 = cb + (bl2 - cb) * layered;
      }
      // No black specks: lift reused pixels darker than the interior's dark colour (not while the mouth keeps the
      // source's opening, which keeps the neutral frame exact).
      const y1v = luma(r, g, bl2);
      if (y1v < floor) {
        const k = ((floor - y1v) / floor) * moved;
        r += (dark[0] - r) * k;
        g += (dark[1] - g) * k;
        bl2 += (dark[2] - bl2) * k;
      }
      const o = (y * width + x) * 3;
      out[o] = out[o]! + (r - out[o]!) * alpha + 0.5;
      out[o + 1] = out[o + 1]! + (g - out[o + 1]!) * alpha + 0.5;
      out[o + 2] = out[o + 2]! + (bl2 - out[o + 2]!) * alpha + 0.5;
    }
  }
}
