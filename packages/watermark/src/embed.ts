import { encodeCodeword } from './codeword.ts';
import { boxMean, lumaOf, type RgbFrame } from './luma.ts';
import { CHIP_PX, chipSigns, TILE_CHIPS, TILE_PX, tileLayout } from './pattern.ts';
import { DEFAULT_WATERMARK_KEY } from './prng.ts';
import { byteChange, type ByteChange } from './saturating-add.ts';

/** Mean squared luma change aimed at: 3.6 gives PSNR-Y of about 42.6 dB (the requirement is >= 42 dB). */
export const TARGET_MSE = 3.6;

export interface EmbedOptions {
  /** @defaultValue DEFAULT_WATERMARK_KEY */
  key?: string | Uint8Array;
  /** Mean squared luma change. @defaultValue TARGET_MSE */
  targetMse?: number;
  /**
   * Shape the strength by local texture (stronger in busy areas). Measured worse after H.264 (the busy areas are
   * where the content masks the pattern for the detector too), so off by default.
   * @defaultValue false
   */
  textureMask?: boolean;
}

/** 4x4 Bayer thresholds in [0, 1). */
const BAYER = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5].map((v) => (v + 0.5) / 16);

const signCache = new Map<string, Int8Array>();

function pixelSigns(payload: Uint8Array, key: string | Uint8Array): { id: string; signs: Int8Array } {
  const id = `${Buffer.from(payload).toString('hex')}:${typeof key === 'string' ? `s:${key}` : `b:${Buffer.from(key).toString('hex')}`}`;
  const cached = signCache.get(id);
  if (cached !== undefined) return { id, signs: cached };
  const chips = chipSigns(tileLayout(key), encodeCodeword(payload, key));
  const out = new Int8Array(TILE_PX * TILE_PX);
  for (let y = 0; y < TILE_PX; y += 1) {
    for (let x = 0; x < TILE_PX; x += 1) {
      out[y * TILE_PX + x] = chips[Math.floor(y / CHIP_PX) * TILE_CHIPS + Math.floor(x / CHIP_PX)] ?? 1;
    }
  }
  if (signCache.size > 16) signCache.clear();
  signCache.set(id, out);
  return { id, signs: out };
}

/**
 * Texture mask: stronger where the picture is busy (local mean absolute deviation), weaker in flat areas,
 * between 0.4 and 2.5 times the average.
 */
function textureMask(frame: RgbFrame): Float32Array {
  const { width, height } = frame;
  const y = lumaOf(frame);
  const smooth = boxMean(y, width, height, 1);
  const dev = new Float32Array(y.length);
  for (let i = 0; i < y.length; i += 1) dev[i] = Math.abs((y[i] ?? 0) - (smooth[i] ?? 0));
  const activity = boxMean(dev, width, height, 4);
  let mean = 0;
  for (const a of activity) mean += a;
  mean = mean / activity.length + 1;
  const mask = new Float32Array(y.length);
  for (let i = 0; i < mask.length; i += 1) mask[i] = Math.min(2.5, Math.max(0.4, ((activity[i] ?? 0) + 1) / mean));
  return mask;
}

/** Per-(payload, key, amplitude, frame size) change of every byte for a flat mask (the default), so frames only add it. */
const flatChangeCache = new Map<string, ByteChange>();

function flatFrameChange(tileId: string, signs: Int8Array, targetMse: number, width: number, height: number): ByteChange {
  const id = `${tileId}:${width}x${height}`;
  const cached = flatChangeCache.get(id);
  if (cached !== undefined) return cached;
  const tile = flatTileDelta(signs, Math.sqrt(targetMse));
  const delta = new Int16Array(width * height * 3);
  for (let y = 0, p = 0; y < height; y += 1) {
    const row = (y % TILE_PX) * TILE_PX;
    for (let x = 0; x < width; x += 1, p += 3) delta.fill(tile[row + (x % TILE_PX)]!, p, p + 3);
  }
  const change = byteChange(delta);
  if (flatChangeCache.size >= 4) flatChangeCache.clear();
  flatChangeCache.set(id, change);
  return change;
}

function flatTileDelta(signs: Int8Array, amplitude: number): Int16Array {
  const out = new Int16Array(TILE_PX * TILE_PX);
  for (let y = 0; y < TILE_PX; y += 1) {
    for (let x = 0; x < TILE_PX; x += 1) {
      const magnitude = Math.floor(amplitude + (BAYER[((y & 3) << 2) | (x & 3)] ?? 0.5));
      out[y * TILE_PX + x] = magnitude * (signs[y * TILE_PX + x] ?? 1);
    }
  }
  return out;
}

/** Adds an integer luma change to R, G and B of the pixel at byte `p` (the clamped view keeps them in 0..255). */
function addDelta(data: Uint8ClampedArray, p: number, delta: number): void {
  if (delta === 0) return;
  data[p] = (data[p] ?? 0) + delta;
  data[p + 1] = (data[p + 1] ?? 0) + delta;
  data[p + 2] = (data[p + 2] ?? 0) + delta;
}

/**
 * Adds the watermark to an RGB24 frame, in place (the same luma change on R, G and B, so hue is kept). The
 * pattern is the same in every frame (so evidence adds up over frames and H.264 keeps it in skipped blocks);
 * `frameIndex` is accepted for a future per-frame variation and does not change it now.
 */
export function embedWatermark(frame: RgbFrame, payload: Uint8Array, frameIndex = 0, options: EmbedOptions = {}): RgbFrame {
  void frameIndex;
  const key = options.key ?? DEFAULT_WATERMARK_KEY;
  const { width, height } = frame;
  if (frame.data.length !== width * height * 3) throw new RangeError(`frame data must be width*height*3 = ${width * height * 3} bytes`);
  const data = new Uint8ClampedArray(frame.data.buffer, frame.data.byteOffset, frame.data.length);
  const { id, signs } = pixelSigns(payload, key);
  const targetMse = options.targetMse ?? TARGET_MSE;
  if (options.textureMask !== true) {
    flatFrameChange(`${id}:${targetMse}`, signs, targetMse, width, height).apply(frame.data);
    return frame;
  }
  const mask = textureMask(frame);
  let meanSq = 0;
  for (const m of mask) meanSq += m * m;
  const amplitude = Math.sqrt(targetMse / (meanSq / mask.length));
  for (let y = 0; y < height; y += 1) {
    const row = (y % TILE_PX) * TILE_PX;
    for (let x = 0; x < width; x += 1) {
      const i = y * width + x;
      // Ordered dithering between floor and ceil keeps the mean squared change at the target.
      const magnitude = Math.floor(amplitude * (mask[i] ?? 1) + (BAYER[((y & 3) << 2) | (x & 3)] ?? 0.5));
      addDelta(data, i * 3, magnitude * (signs[row + (x % TILE_PX)] ?? 1));
    }
  }
  return frame;
}
