import { AudioFeaturesError } from './errors.ts';

/**
 * Samples [offset, offset + samples.length) of a clip of `clipLength` 16 kHz mono samples: enough to compute the
 * features of part of a clip without holding all of it. The clip is silent outside [0, clipLength); reading a sample
 * of the clip that the stretch does not hold is an error.
 */
export interface SampleStretch {
  samples: Float32Array;
  offset: number;
  clipLength: number;
}

/** A whole clip as a stretch. */
export function wholeClip(samples: Float32Array): SampleStretch {
  return { samples, offset: 0, clipLength: samples.length };
}

export function isSampleStretch(value: Float32Array | SampleStretch): value is SampleStretch {
  return !(value instanceof Float32Array);
}

/**
 * Checks that the stretch holds every sample of the clip in [from, to) (clip indices; those outside the clip are
 * silence and need not be held).
 */
export function checkStretchHolds(stretch: SampleStretch, from: number, to: number): void {
  const first = Math.max(0, from);
  const end = Math.min(stretch.clipLength, to);
  if (end > first && (first < stretch.offset || end > stretch.offset + stretch.samples.length)) {
    throw new AudioFeaturesError(
      'AUDIO_FEATURES_BAD_RANGE',
      `samples [${first}, ${end}) of the clip are needed; the stretch holds [${stretch.offset}, ${stretch.offset + stretch.samples.length})`,
    );
  }
}
