import { buildContourProfile, sampleColumn } from '../geometry/contour-profile.ts';
import { CHEEKS, INNER_LOWER, INNER_UPPER, OUTER_LOWER, OUTER_UPPER } from '../mesh/landmark-indices.ts';
import { sampleBilinear } from '../raster/sample.ts';

/** Colours sampled once from the portrait for the painted mouth interior, RGB 0..255. */
export interface MouthColours {
  lip: [number, number, number];
  teeth: [number, number, number];
  dark: [number, number, number];
  tongue: [number, number, number];
  /** True when the source mouth shows enough teeth-coloured pixels to sample them. */
  sourceTeeth: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const luminance = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

export function sampleMouthColours(image: Uint8Array, width: number, height: number, points: Float32Array): MouthColours {
  const rgb = new Float32Array(3);
  const lip: number[][] = [[], [], []];
  const pairs: [readonly number[], readonly number[]][] = [[OUTER_UPPER, INNER_UPPER], [OUTER_LOWER, INNER_LOWER]];
  for (const [outer, inner] of pairs) {
    for (let k = 2; k <= 8; k++) {
      const o = outer[k]!;
      const i = inner[k]!;
      sampleBilinear(image, width, height, (points[o * 3]! + points[i * 3]!) / 2, (points[o * 3 + 1]! + points[i * 3 + 1]!) / 2, rgb);
      for (let c = 0; c < 3; c++) lip[c]!.push(rgb[c]!);
    }
  }
  const lipColour: [number, number, number] = [median(lip[0]!), median(lip[1]!), median(lip[2]!)];

  const skin: number[] = [];
  for (const v of CHEEKS) {
    sampleBilinear(image, width, height, points[v * 3]!, points[v * 3 + 1]!, rgb);
    skin.push(luminance(rgb[0]!, rgb[1]!, rgb[2]!));
  }
  const skinLuma = median(skin);

  // Teeth: bright, unsaturated pixels inside the source mouth opening.
  const profile = buildContourProfile(points, INNER_UPPER, INNER_LOWER);
  const found: number[][] = [[], [], []];
  let holePixels = 0;
  for (let a = 0; a < profile.upper.length; a++) {
    const top = sampleColumn(profile.upper, a);
    const bottom = sampleColumn(profile.lower, a);
    for (let b = top + 0.5; b < bottom; b += 1) {
      const x = profile.cornerX + a * profile.axisX + b * profile.normalX;
      const y = profile.cornerY + a * profile.axisY + b * profile.normalY;
      sampleBilinear(image, width, height, x, y, rgb);
      holePixels++;
      const [r, g, bl] = [rgb[0]!, rgb[1]!, rgb[2]!];
      const hi = Math.max(r, g, bl);
      const lo = Math.min(r, g, bl);
      // Teeth are about as bright as the skin and far less red than lips (whose red exceeds green by a third or
      // more); in paintings they may be as saturated as ivory paint, so yellow is allowed (blue below green).
      if (luminance(r, g, bl) > 0.88 * skinLuma && hi - lo < 0.32 * hi && r - g < 0.15 * r + 4) {
        found[0]!.push(r);
        found[1]!.push(g);
        found[2]!.push(bl);
      }
    }
  }
  const sourceTeeth = found[0]!.length >= Math.max(6, 0.1 * holePixels);
  const brightness = Math.min(1.05, Math.max(0.55, skinLuma / 170));
  const teeth: [number, number, number] = sourceTeeth
    ? [median(found[0]!), median(found[1]!), median(found[2]!)]
    : [228 * brightness, 220 * brightness, 205 * brightness];
  const dark: [number, number, number] = [lipColour[0] * 0.2 + 4, lipColour[1] * 0.12 + 2, lipColour[2] * 0.12 + 2];
  const tongue: [number, number, number] = [lipColour[0] * 0.75 + 15, lipColour[1] * 0.6, lipColour[2] * 0.62];
  return { lip: lipColour, teeth, dark, tongue, sourceTeeth };
}
