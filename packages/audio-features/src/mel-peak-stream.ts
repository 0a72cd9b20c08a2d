import type { ModelSession } from '@portrait-farm/model-runtime';
import { HOP, MEL_BLOCK, MEL_BLOCK_SAMPLES, PAD_BEFORE, clipMelBlockEnd } from './front-end-layout.ts';
import { HeldSamples } from './held-samples.ts';
import { blockFirstSample } from './mel-blocks.ts';
import { searchMelPeak } from './mel-peak-search.ts';

/** Blocks per run while audio arrives (about 10 s of audio): fewer, larger model runs. */
const STREAM_RUN_BLOCKS = 64;

/** Complete blocks not yet searched at which `push` waits (about 40 s of audio): what the stream holds stays bounded. */
const MAX_PENDING_BLOCKS = 4 * STREAM_RUN_BLOCKS;

/**
 * A clip's mel peak computed while its audio is still being decoded: `push` the samples in order as they are
 * decoded and the mel model runs on every block they complete, so that when the decode ends only the last blocks
 * are left for `finish`. Only the samples of blocks not yet searched are held, never the whole clip. The peak equals
 * `AudioFrontEnd.melPeak` of the whole clip exactly (every block is computed from the same samples either way, and
 * blocks that cannot reach the peak are skipped by both).
 */
export interface MelPeakStream {
  /**
   * The next samples of the clip (copied: the array may be reused once the promise settles). Resolves at once,
   * unless much of the audio pushed is still to be searched: then once the model has caught up.
   */
  push(next: Float32Array): Promise<void>;
  /** The peak of the whole clip, once all its samples are pushed. */
  finish(): Promise<number>;
}

/** Blocks that lie wholly inside the first `available` samples: their input is final before the decode ends. */
function completeBlocks(available: number): number {
  return Math.max(0, Math.floor((available + PAD_BEFORE - MEL_BLOCK_SAMPLES) / (MEL_BLOCK * HOP)) + 1);
}

export function createMelPeakStream(mel: ModelSession, check: (samples: Float32Array) => void): MelPeakStream {
  const held = new HeldSamples();
  let done = 0;
  let peak = -Infinity;
  let running: Promise<void> | null = null;
  let failure: unknown = null;

  const run = async (end: number): Promise<void> => {
    while (done < end) {
      const next = Math.min(end, done + STREAM_RUN_BLOCKS);
      peak = await searchMelPeak(mel, held.stretch(), done, next, peak);
      done = next;
    }
  };

  const pump = (): void => {
    if (running !== null || failure !== null) return;
    const end = completeBlocks(held.received);
    if (end - done < STREAM_RUN_BLOCKS) return;
    running = run(end - ((end - done) % STREAM_RUN_BLOCKS)).then(
      () => {
        running = null;
        pump();
      },
      (error: unknown) => {
        running = null;
        failure = error;
      },
    );
  };

  return {
    async push(next) {
      if (failure !== null) return;
      try {
        check(next);
      } catch (error) {
        failure = error;
        return;
      }
      // A run in flight reads the samples it was handed: none are dropped until it ends.
      held.append(next, running === null ? blockFirstSample(done) : null);
      pump();
      while (running !== null && completeBlocks(held.received) - done > MAX_PENDING_BLOCKS) await running;
    },
    async finish() {
      while (running !== null) await running;
      if (failure !== null) throw failure;
      await run(clipMelBlockEnd(held.received));
      return peak;
    },
  };
}
