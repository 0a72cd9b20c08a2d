import { AudioFeaturesError } from './errors.ts';

/**
 * The mel peak (dB) that rows of live audio are floored at (`peak - 80 dB`), the clip's own peak being unknown while
 * audio arrives:
 * - `fixed`: one value for every row (a reference level; the clip's own peak reproduces a whole-clip run);
 * - `running`: the largest mel cell of the audio each row has seen so far in this utterance, never below `initial`.
 */
export type LiveMelPeak = { policy: 'fixed'; peak: number } | { policy: 'running'; initial?: number };

/** Gives the peak of each row of an utterance, rows taken in order. */
export interface MelPeakTracker {
  /** The peak the next row is floored at, given the largest cell of the mel blocks it reads. */
  next(rowPeak: number): number;
}

export function checkLiveMelPeak(policy: LiveMelPeak): void {
  const value = policy.policy === 'fixed' ? policy.peak : policy.initial ?? -Infinity;
  if (Number.isNaN(value) || value === Infinity || (policy.policy === 'fixed' && !Number.isFinite(value))) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `melPeak must be a finite number of dB. Passed: ${JSON.stringify(policy)}`);
  }
}

export function createMelPeakTracker(policy: LiveMelPeak): MelPeakTracker {
  if (policy.policy === 'fixed') return { next: () => policy.peak };
  let peak = policy.initial ?? -Infinity;
  return {
    next(rowPeak) {
      if (rowPeak > peak) peak = rowPeak;
      return peak;
    },
  };
}
