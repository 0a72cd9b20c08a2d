import { MotionError } from './errors.ts';

/**
 * Per-frame audio features, as @portrait-farm/audio-features returns them: rows of frames
 * [startFrame, startFrame + frameCount) of a clip of `clipFrameCount` frames. A whole clip's features (`features`)
 * leave both out; a segment's rows (`featuresRange`) give `startFrame` and the clip's frame count.
 */
export interface FeatureMatrix {
  /** Rows held. */
  frameCount: number;
  dim: number;
  data: Float32Array;
  /** Clip frame of the first row. @defaultValue 0 */
  startFrame?: number;
  /** Frames of the whole clip; frames at or past it read the silence row. @defaultValue startFrame + frameCount */
  clipFrameCount?: number;
}

/** The clip frames a matrix covers: its rows [start, end) and the clip's length. */
export interface FeatureSpan {
  start: number;
  end: number;
  clipFrames: number;
}

/** Windows needed to cover `frameCount` frames of W frames each. */
export function windowCount(frameCount: number, window: number): number {
  return Math.ceil(frameCount / window);
}

export function featureSpan(features: FeatureMatrix): FeatureSpan {
  const start = features.startFrame ?? 0;
  const end = start + features.frameCount;
  return { start, end, clipFrames: features.clipFrameCount ?? end };
}

export function checkFeatures(features: FeatureMatrix, featureDim: number): void {
  if (features.dim !== featureDim) {
    throw new MotionError('MOTION_BAD_FEATURES', `audio features must have ${featureDim} values per frame (pack audio.feature_dim). Passed: ${features.dim}`);
  }
  if (!Number.isInteger(features.frameCount) || features.frameCount < 0 || features.data.length !== features.frameCount * featureDim) {
    throw new MotionError(
      'MOTION_BAD_FEATURES',
      `audio features must hold frameCount * ${featureDim} values. Passed: frameCount ${features.frameCount} with ${features.data.length} values`,
    );
  }
  const { start, end, clipFrames } = featureSpan(features);
  if (!Number.isInteger(start) || start < 0) {
    throw new MotionError('MOTION_BAD_FEATURES', `audio features' startFrame must be a non-negative integer. Passed: ${start}`);
  }
  if (!Number.isInteger(clipFrames) || clipFrames < end) {
    throw new MotionError(
      'MOTION_BAD_FEATURES',
      `audio features' clipFrameCount must be an integer at or past their last row (frame ${end}). Passed: ${clipFrames}`,
    );
  }
}

/**
 * Audio rows of window `index`: clip frames [index*W, (index+1)*W), read from the matrix by clip frame; frames
 * past the end of the clip are the feature row of digital silence, as models/training pads its windows. A frame
 * the clip has but the matrix does not hold is an error (MOTION_MISSING_FEATURES).
 */
export function windowAudio(features: FeatureMatrix, index: number, window: number, silence: Float32Array): Float32Array {
  const dim = features.dim;
  const { start, end, clipFrames } = featureSpan(features);
  const first = index * window;
  const last = Math.min(clipFrames, first + window);
  if (first < last && (first < start || last > end)) {
    throw new MotionError(
      'MOTION_MISSING_FEATURES',
      `window ${index} reads feature rows [${first}, ${last}) of the clip's ${clipFrames}; the features hold rows [${start}, ${end}) only`,
    );
  }
  const out = new Float32Array(window * dim);
  for (let r = 0; r < window; r++) {
    const frame = first + r;
    if (frame < clipFrames) out.set(features.data.subarray((frame - start) * dim, (frame - start + 1) * dim), r * dim);
    else out.set(silence, r * dim);
  }
  return out;
}
