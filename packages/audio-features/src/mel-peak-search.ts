import type { ModelSession } from '@portrait-farm/model-runtime';
import { HOP, MEL_BLOCK, MEL_GAIN_BOUND, MEL_WINDOW_SUPPORT, PAD_BEFORE } from './front-end-layout.ts';
import { melPeakOfBlocks } from './mel-blocks.ts';
import { checkStretchHolds, type SampleStretch } from './sample-stretch.ts';

/**
 * Slack on the bound for the model's float32 arithmetic: its STFT sums 512 products, which can exceed the exact
 * value by far less than 1 % (see models/SPEC.md, "Audio front-end").
 */
const FLOAT_SLACK = 1.01;

/**
 * An upper bound (dB) on every mel cell of block `k`: MEL_GAIN_BOUND times the largest energy, over the block's
 * frames, of the int16-scaled samples each frame's window covers. -Infinity for digital silence.
 */
export function melBlockBoundDb(audio: SampleStretch, k: number): number {
  const { samples, clipLength, offset } = audio;
  checkStretchHolds(audio, k * MEL_BLOCK * HOP - PAD_BEFORE + MEL_WINDOW_SUPPORT.first, (k * MEL_BLOCK + MEL_BLOCK - 1) * HOP - PAD_BEFORE + MEL_WINDOW_SUPPORT.end);
  let energy = 0;
  for (let f = 0; f < MEL_BLOCK; f++) {
    const start = (k * MEL_BLOCK + f) * HOP - PAD_BEFORE;
    const from = Math.max(0, start + MEL_WINDOW_SUPPORT.first) - offset;
    const to = Math.min(clipLength, start + MEL_WINDOW_SUPPORT.end) - offset;
    let sum = 0;
    for (let s = from; s < to; s++) sum += samples[s]! * samples[s]!;
    if (sum > energy) energy = sum;
  }
  return energy === 0 ? -Infinity : 10 * Math.log10(MEL_GAIN_BOUND * FLOAT_SLACK * energy * 32768 * 32768);
}

/**
 * The largest mel cell of blocks [first, end), or `known` when that is larger, exactly as running the model on
 * every block would give it, while running it only on blocks whose bound reaches the peak so far: the block with
 * the highest bound first (its cells usually rule out most others), then those still in reach. For speech about
 * half the blocks are run.
 */
export async function searchMelPeak(session: ModelSession, audio: SampleStretch, first: number, end: number, known = -Infinity): Promise<number> {
  const candidates: Array<{ block: number; bound: number }> = [];
  for (let block = first; block < end; block++) {
    // Every cell the model gives is at least its floor (1e-10, -100 dB), so once a peak is known a block whose
    // bound is below it cannot raise it, even where the floor lifts its cells above the bound.
    const bound = melBlockBoundDb(audio, block);
    if (bound >= known) candidates.push({ block, bound });
  }
  if (candidates.length === 0) return known;
  candidates.sort((a, b) => b.bound - a.bound);
  let peak = Math.max(known, await melPeakOfBlocks(session, audio, [candidates[0]!.block]));
  const rest = candidates.slice(1).filter((c) => c.bound >= peak).map((c) => c.block).sort((a, b) => a - b);
  if (rest.length > 0) peak = Math.max(peak, await melPeakOfBlocks(session, audio, rest));
  return peak;
}
