import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcm16Wav } from '@portrait-farm/media';
import { DEFAULT_THRESHOLDS, type MouthThresholds } from './mouth-metrics.ts';

/**
 * How far above a portrait's own sealed mouth the closed threshold sits. On the photo the re-detected inner lips of
 * a sealed mouth read 0.054-0.058 mouth widths and the default threshold is 0.08: this margin.
 */
export const REST_MARGIN = 0.025;

/**
 * Thresholds for one portrait: the lips count as closed below its sealed-mouth reading plus {@link REST_MARGIN}, never
 * below the default. On a posterised painting the detector reads a sealed mouth at about 0.086 mouth widths, over the
 * default 0.08, so every closure would count as a miss; the open threshold stays the default.
 */
export function thresholdsForRest(restOpening: number): MouthThresholds {
  return { closed: Math.max(DEFAULT_THRESHOLDS.closed, restOpening + REST_MARGIN), open: DEFAULT_THRESHOLDS.open };
}

/** The median of a list (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Writes `seconds` of near silence (16 kHz mono PCM16, a deterministic hiss at -80 dBFS so the audio front-end sees
 * a room, not digital zero): the audio a rest calibration renders the portrait with.
 */
export function writeRestAudio(dir: string, seconds = 3): string {
  const rate = 16000;
  const samples = new Int16Array(Math.round(seconds * rate));
  let state = 12345;
  for (let i = 0; i < samples.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    samples[i] = ((state >>> 16) % 7) - 3;
  }
  const path = join(dir, 'rest-calibration.wav');
  writeFileSync(path, pcm16Wav(samples, rate));
  return path;
}
