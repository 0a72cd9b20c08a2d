import { clamp01, smoothstep } from '../raster/sample.ts';
import type { MouthColours } from './colour-samples.ts';
import { type ToothColumn, lowerRowProfile, lowerToothAt, toothAt, upperRowProfile } from './tooth-shape.ts';

/** Visible length of the upper teeth below the upper lip at a full opening, relative to the mouth width. */
export const UPPER_TEETH = 0.13;
/** Visible length of the lower teeth above the lower lip with the jaw well open, relative to the mouth width. */
const LOWER_TEETH = 0.07;
/** Opening (relative to the mouth width) over which the lower teeth come into view: only with the jaw well open. */
const LOWER_TEETH_FROM = 0.26;
const LOWER_TEETH_FULL = 0.4;
/** Opening (relative to the mouth width) over which the upper teeth come out of the lips' shadow. */
const UPPER_TEETH_FROM = 0.04;
const UPPER_TEETH_FULL = 0.12;
/** Brightness of the wet inner lip where it turns into the mouth, relative to the lip colour. */
const INNER_LIP = 0.6;

/** Where in the opening a pixel lies, in the deformed frame. */
export interface InteriorPoint {
  /** Position along the mouth, 0 at one corner, 1 at the other. */
  s: number;
  /** Pixels below the upper lip's inner edge (0 or more). */
  d: number;
  /** Pixels above the lower lip's inner edge (0 or more). */
  e: number;
  /** Opening of this column, pixels. */
  open: number;
  /** Mouth width in the frame, pixels. */
  mouthWidth: number;
}

/**
 * Scratch written before it is read. NaN, not 0: V8 then stores these numbers as doubles from the start. A small
 * integer first would have them stored as such, and the first fraction written (once the mouth opens) would change
 * the object's layout and throw away the optimised code that reads it.
 */
const tooth: ToothColumn = { length: NaN, shade: NaN, across: NaN };

function mix(out: Float32Array, colour: readonly number[], k: number): void {
  out[0] = out[0]! + (colour[0]! - out[0]!) * k;
  out[1] = out[1]! + (colour[1]! - out[1]!) * k;
  out[2] = out[2]! + (colour[2]! - out[2]!) * k;
}

/** `a` towards `b` by `t`, into `out`. */
function lerpInto(out: number[], a: readonly number[], b: readonly number[], t: number): number[] {
  out[0] = a[0]! + (b[0]! - a[0]!) * t;
  out[1] = a[1]! + (b[1]! - a[1]!) * t;
  out[2] = a[2]! + (b[2]! - a[2]!) * t;
  return out;
}

// Colour scratch, written before it is read: arrays of doubles from the start (see `tooth`).
const shaded = [NaN, NaN, NaN];
const teethShadow = [NaN, NaN, NaN];
const teethWarm = [NaN, NaN, NaN];
const backTeeth = [NaN, NaN, NaN];
/** Share of the lip colour in the teeth colour of the teeth in the mouth's shade (lower row): warm, not grey. */
const SHADE_WARMTH = 0.15;

/**
 * Colour of the synthesised mouth interior at one point, back to front: the wet inner lip falling off into the dark
 * cavity (vertically from both lips; the corners stay in the lips' reddish shadow instead of going black), a tongue
 * rising from behind the lower lip, the lower teeth once the jaw is well open, and the upper teeth hanging under the
 * upper lip (their root in the lip's shadow, darker towards the corners and between the teeth), which come out of
 * the shadow only as the lips part. Shading mixes towards the dark interior colour, so shadows stay warm.
 */
export function synthesiseInterior(p: InteriorPoint, colours: MouthColours, out: Float32Array): void {
  const { s, d, e, open, mouthWidth: mw } = p;
  const { lip, dark, teeth, tongue } = colours;
  // Teeth in shadow take the warm colour of the lips' shadow, not grey.
  teethShadow[0] = 0.5 * lip[0] + 0.5 * dark[0];
  teethShadow[1] = 0.5 * lip[1] + 0.5 * dark[1];
  teethShadow[2] = 0.5 * lip[2] + 0.5 * dark[2];
  lerpInto(teethWarm, teeth, lip, SHADE_WARMTH);
  const side = Math.min(s, 1 - s);
  // Cavity: inner lip shadow into darkness over a third of the opening from each lip.
  // A narrow gap stays in the lips' reddish shadow; only a real opening falls into darkness.
  const depth = 0.55 + 0.45 * smoothstep(0.02 * mw, 0.12 * mw, open);
  const fall = smoothstep(0, Math.max(2, 0.4 * open), Math.min(d, e)) * depth * (1 - 0.55 * smoothstep(0.16, 0.02, side));
  const edgeLight = INNER_LIP * (1 - 0.25 * smoothstep(0.2, 0.02, side));
  out[0] = lip[0] * edgeLight;
  out[1] = lip[1] * edgeLight;
  out[2] = lip[2] * edgeLight;
  mix(out, dark, fall);

  // Tongue: a low mound behind the lower lip, lit on its top.
  // x * x, not x ** 2: the same double (V8's pow squares exactly), without a call to pow.
  const fromMiddle = (s - 0.5) / 0.36;
  const mound = Math.sqrt(Math.max(0, 1 - fromMiddle * fromMiddle));
  const tongueH = Math.min(0.3 * open, 0.13 * mw) * mound;
  if (tongueH > 0.5) {
    const soft = Math.max(1.5, 0.3 * tongueH);
    const k = smoothstep(-soft, soft, tongueH - e) * smoothstep(0.12 * mw, 0.26 * mw, open);
    const light = (0.3 + 0.35 * smoothstep(0, tongueH, e)) * (1 - 0.4 * Math.abs(2 * s - 1));
    mix(out, lerpInto(shaded, dark, tongue, light), k);
  }

  // Lower teeth: only with the jaw well open, their base behind the lower lip.
  const lowerH = LOWER_TEETH * mw * smoothstep(LOWER_TEETH_FROM * mw, LOWER_TEETH_FULL * mw, open) * lowerRowProfile(s);
  if (lowerH > 0.4) {
    lowerToothAt(s, mw, tooth);
    // A few wide teeth with rounded crowns (flat tops, round corners), soft-edged, their base hidden in the lower
    // lip's shadow and their sides turning away: rounded teeth in the mouth's shade, not a light saw edge.
    const c = 2 * tooth.across - 1;
    const top = lowerH * (1 - 0.3 * c ** 4);
    const soft = Math.max(1, 0.25 * lowerH);
    const k = 0.92 * smoothstep(-soft, soft, top - e) * smoothstep(0, Math.max(1, 0.3 * lowerH), e);
    const round = 1 - 0.3 * c * c;
    const light = (0.55 + 0.35 * smoothstep(0, lowerH, e)) * round * tooth.shade * (1 - 0.3 * Math.abs(2 * s - 1));
    mix(out, lerpInto(shaded, teethShadow, teethWarm, light), k);
  }

  // Upper teeth: hang under the upper lip; in its shadow while the lips are nearly closed.
  const show = smoothstep(UPPER_TEETH_FROM * mw, UPPER_TEETH_FULL * mw, open);
  if (!(show > 0)) return;
  const across = 2 * s - 1;
  const rowH = UPPER_TEETH * mw * upperRowProfile(s) * (1 - 0.2 * across * across);
  // A tooth's length factor is at most 1, so a row this short has no tooth over 0.3 px: the tooth is not shaped.
  if (!(rowH > 0.3)) return;
  toothAt(s, mw, tooth);
  const upperH = rowH * tooth.length;
  if (upperH > 0.3) {
    const root = 0.62 + 0.38 * smoothstep(0, Math.max(1, 0.35 * upperH), d);
    // Back teeth fall into the mouth's shadow.
    const back = smoothstep(0.2, 0.44, Math.abs(s - 0.5));
    const light = root * tooth.shade * (1 - 0.8 * back) * (0.45 + 0.55 * show);
    const k = clamp01((upperH - d) / 1.2 + 0.2) * (0.35 + 0.65 * show) * (1 - 0.5 * back);
    mix(out, lerpInto(shaded, teethShadow, lerpInto(backTeeth, teeth, lip, SHADE_WARMTH * back), light), k);
  }
}
