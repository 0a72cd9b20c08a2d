import type { ModelSession } from '@portrait-farm/model-runtime';
import { HOP, MEL_BLOCK, MEL_BLOCK_SAMPLES, PAD_BEFORE, clipMelBlockEnd } from './front-end-layout.ts';
import { searchMelPeak } from './mel-peak-search.ts';

/** Blocks per run while audio arrives (about 10 s of audio): fewer, larger model runs. */
const STREAM_RUN_BLOCKS = 64;

/**
 * A clip's mel peak computed while its audio is still being decoded: `push` the samples decoded so far (a growing
 * prefix) and the mel model runs on every block they already hold, so that when the decode ends only the last
 * blocks are left for `finish`. The peak equals `AudioFrontEnd.melPeak` of the whole clip exactly (every block is
 * computed from the same samples either way, and blocks that cannot reach the peak are skipped by both).
 */
export interface MelPeakStream {
  /** Samples decoded so far (the clip's first `decoded.length` samples; read later, so never change them). */
  push(decoded: Float32Array): void;
  /** The peak of the whole clip, once `samples` (all of it) is known. */
  finish(samples: Float32Array): Promise<number>;
}

/** Blocks that lie wholly inside the first `available` samples: their input is final before the decode ends. */
function completeBlocks(available: number): number {
  return Math.max(0, Math.floor((available + PAD_BEFORE - MEL_BLOCK_SAMPLES) / (MEL_BLOCK * HOP)) + 1);
}

export function createMelPeakStream(mel: ModelSession, check: (samples: Float32Array) => void): MelPeakStream {
  let done = 0;
  let peak = -Infinity;
  let latest: Float32Array = new Float32Array(0);
  let running: Promise<void> | null = null;
  let failure: unknown = null;

  const run = async (samples: Float32Array, end: number): Promise<void> => {
    while (done < end) {
      const next = Math.min(end, done + STREAM_RUN_BLOCKS);
      peak = await searchMelPeak(mel, samples, done, next, peak);
      done = next;
    }
  };

  const pump = (): void => {
    if (running !== null || failure !== null) return;
    const end = completeBlocks(latest.length);
    if (end - done < STREAM_RUN_BLOCKS) return;
    running = run(latest, end - ((end - done) % STREAM_RUN_BLOCKS)).then(
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
    push(decoded) {
      latest = decoded;
      pump();
    },
    async finish(samples) {
      check(samples);
      latest = samples;
      while (running !== null) await running;
      if (failure !== null) throw failure;
      await run(samples, clipMelBlockEnd(samples.length));
      return peak;
    },
  };
}
