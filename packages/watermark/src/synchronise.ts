import { fft2d } from './fft.ts';
import { boxMean, lumaOf, type RgbFrame } from './luma.ts';
import { CHIP_PX, CHIPS, isSync, syncTemplate, TILE_CHIPS, TILE_PX, type TileLayout } from './pattern.ts';

/** Scale hypotheses tried per video: 2 autocorrelation peaks x 7 refinements around each. */
export const SCALE_HYPOTHESES = 14;
/** Shift hypotheses per scale: every cyclic offset of the tile, at pixel resolution. */
export const SHIFT_HYPOTHESES = TILE_PX * TILE_PX;
const REFINE = [-0.006, -0.004, -0.002, 0, 0.002, 0.004, 0.006];
const MIN_SCALE = 0.4;
const MAX_SCALE = 1.1;
const CLIP = 0.6;
const WEIGHT_KNEE = 2;
const NEAR = CHIP_PX + 2;
const EDGE = 2 * CHIP_PX + 4;

/**
 * The detector's view of a frame: the high-passed luma (luma minus its 5x5 mean) clipped to +-0.6 (nearly its sign,
 * measured best of clips 0.6 to 6), weighted down where the picture is busy (mean |residual| over 7x7 above 2:
 * weight 2 / activity), where the content rather than the pattern decides the sign. The weighting raised A4/A5 sync
 * scores from about 390 to about 440 of 512.
 */
export function frameResidual(frame: RgbFrame): Float32Array {
  const y = lumaOf(frame);
  const mean = boxMean(y, frame.width, frame.height, 2);
  const residual = new Float32Array(y.length);
  const magnitude = new Float32Array(y.length);
  for (let i = 0; i < y.length; i += 1) {
    residual[i] = (y[i] ?? 0) - (mean[i] ?? 0);
    magnitude[i] = Math.abs(residual[i] ?? 0);
  }
  const activity = boxMean(magnitude, frame.width, frame.height, 3);
  for (let i = 0; i < y.length; i += 1) {
    const weight = Math.min(1, WEIGHT_KNEE / ((activity[i] ?? 0) + 1e-3));
    y[i] = Math.max(-CLIP, Math.min(CLIP, residual[i] ?? 0)) * weight;
  }
  return y;
}

/**
 * Tile periods (in pixels of the video) where the summed residual's autocorrelation along x and y peaks: the
 * tiled pattern repeats every TILE_PX * scale pixels, whatever the crop. Key-independent.
 */
export function estimateScales(acc: Float64Array, width: number, height: number): number[] {
  const minLag = Math.floor(MIN_SCALE * TILE_PX);
  const maxLag = Math.min(Math.ceil(MAX_SCALE * TILE_PX), width - 16, height - 16);
  const lags: number[] = [];
  const score: number[] = [];
  for (let lag = minLag - EDGE; lag <= maxLag + EDGE; lag += 1) {
    if (lag < 8 || lag > width - 8 || lag > height - 8) continue;
    let sx = 0;
    for (let y = 0; y < height; y += 1) {
      const row = y * width;
      for (let x = 0; x + lag < width; x += 1) sx += (acc[row + x] ?? 0) * (acc[row + x + lag] ?? 0);
    }
    let sy = 0;
    for (let y = 0; y + lag < height; y += 1) {
      const row = y * width;
      const other = (y + lag) * width;
      for (let x = 0; x < width; x += 1) sy += (acc[row + x] ?? 0) * (acc[other + x] ?? 0);
    }
    lags.push(lag);
    score.push(sx / ((width - lag) * height) + sy / ((height - lag) * width));
  }
  // Peakiness: the score minus the mean of its neighbours NEAR..EDGE lags away on both sides (beyond the peak's own
  // width of about a chip).
  const peaks: { lag: number; value: number }[] = [];
  for (let i = EDGE; i < lags.length - EDGE; i += 1) {
    const lag = lags[i] ?? 0;
    if (lag < minLag || lag > maxLag) continue;
    let base = 0;
    for (let k = NEAR; k <= EDGE; k += 1) base += (score[i - k] ?? 0) + (score[i + k] ?? 0);
    const value = (score[i] ?? 0) - base / (2 * (EDGE - NEAR + 1));
    const here = score[i] ?? 0;
    if (here >= (score[i - 1] ?? 0) && here >= (score[i + 1] ?? 0)) {
      const a = score[i - 1] ?? 0;
      const c = score[i + 1] ?? 0;
      const denom = a - 2 * here + c;
      const offset = denom < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denom)) : 0;
      peaks.push({ lag: lag + offset, value });
    }
  }
  peaks.sort((p, q) => q.value - p.value);
  const chosen = peaks.slice(0, 2).map((p) => p.lag / TILE_PX);
  while (chosen.length < 2) chosen.push(chosen.length === 0 ? 1 : 0.5);
  return chosen.flatMap((s) => REFINE.map((r) => s * (1 + r)));
}

/** The residual folded onto one tile (TILE_PX^2) for a scale: each pixel adds to its tile position. */
export function foldTile(acc: Float64Array, width: number, height: number, scale: number): Float64Array {
  const tile = new Float64Array(TILE_PX * TILE_PX);
  const column = new Int32Array(width);
  for (let x = 0; x < width; x += 1) column[x] = Math.floor((x + 0.5) / scale) % TILE_PX;
  for (let y = 0; y < height; y += 1) {
    const row = (Math.floor((y + 0.5) / scale) % TILE_PX) * TILE_PX;
    for (let x = 0; x < width; x += 1) {
      const at = row + (column[x] ?? 0);
      tile[at] = (tile[at] ?? 0) + (acc[y * width + x] ?? 0);
    }
  }
  return tile;
}

/** Key-independent evidence of one video: its folded tiles per scale hypothesis and their spectra. */
export interface Evidence {
  scales: number[];
  tiles: Float64Array[];
  spectra: { re: Float64Array; im: Float64Array }[];
}

export function prepareEvidence(acc: Float64Array, width: number, height: number): Evidence {
  const scales = estimateScales(acc, width, height);
  const tiles = scales.map((s) => foldTile(acc, width, height, s));
  const spectra = tiles.map((tile) => {
    const re = Float64Array.from(tile);
    const im = new Float64Array(tile.length);
    fft2d(re, im, TILE_PX, false);
    return { re, im };
  });
  return { scales, tiles, spectra };
}

/** Chip sums of a folded tile at a cyclic shift. */
export function chipValues(tile: Float64Array, dx: number, dy: number): Float64Array {
  const out = new Float64Array(CHIPS);
  for (let cy = 0; cy < TILE_CHIPS; cy += 1) {
    for (let cx = 0; cx < TILE_CHIPS; cx += 1) {
      let sum = 0;
      for (let v = 0; v < CHIP_PX; v += 1) {
        const row = ((cy * CHIP_PX + v + dy) % TILE_PX) * TILE_PX;
        for (let u = 0; u < CHIP_PX; u += 1) sum += tile[row + ((cx * CHIP_PX + u + dx) % TILE_PX)] ?? 0;
      }
      out[cy * TILE_CHIPS + cx] = sum;
    }
  }
  return out;
}

/** Sync chips whose value has the sign of the template. */
export function syncAgreement(layout: TileLayout, chips: Float64Array): number {
  let agree = 0;
  for (const chip of layout.syncChips) if ((chips[chip] ?? 0) * (layout.sign[chip] ?? 0) > 0) agree += 1;
  return agree;
}

export interface SyncResult {
  scale: number;
  /** Cyclic shift of the tile (pixels at the embedding scale). */
  dx: number;
  dy: number;
  agreement: number;
  chips: Float64Array;
}

/**
 * For each scale hypothesis, the shift with the highest correlation with the key's sync template; returned in
 * decreasing order of sync agreement.
 */
export function synchronise(evidence: Evidence, layout: TileLayout): SyncResult[] {
  const tre = syncTemplate(layout);
  const tim = new Float64Array(tre.length);
  fft2d(tre, tim, TILE_PX, false);
  const results: SyncResult[] = [];
  evidence.spectra.forEach((spectrum, k) => {
    const re = new Float64Array(tre.length);
    const im = new Float64Array(tre.length);
    for (let i = 0; i < re.length; i += 1) {
      const ar = spectrum.re[i] ?? 0; const ai = spectrum.im[i] ?? 0;
      const br = tre[i] ?? 0; const bi = -(tim[i] ?? 0);
      re[i] = ar * br - ai * bi; im[i] = ar * bi + ai * br;
    }
    fft2d(re, im, TILE_PX, true);
    let arg = 0;
    for (let i = 1; i < re.length; i += 1) if ((re[i] ?? 0) > (re[arg] ?? 0)) arg = i;
    const dx = arg % TILE_PX;
    const dy = Math.floor(arg / TILE_PX);
    const chips = chipValues(evidence.tiles[k] ?? new Float64Array(re.length), dx, dy);
    const agreement = syncAgreement(layout, chips);
    results.push({ scale: evidence.scales[k] ?? 1, dx, dy, agreement, chips });
  });
  return results.sort((a, b) => b.agreement - a.agreement);
}

export { isSync };
