import { MotionError } from './errors.ts';

/** Per-frame audio features of a whole clip (rows of frames [0, frameCount)), as @portrait-farm/audio-features returns them. */
export interface FeatureMatrix {
  frameCount: number;
  dim: number;
  data: Float32Array;
}

/** Windows needed to cover `frameCount` frames of W frames each. */
export function windowCount(frameCount: number, window: number): number {
  return Math.ceil(frameCount / window);
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
}

/**
 * Audio rows of window `index`: feature rows [index*W, (index+1)*W); rows past the end of the clip are the feature
 * row of digital silence, as models/training pads its windows.
 */
export function windowAudio(features: FeatureMatrix, index: number, window: number, silence: Float32Array): Float32Array {
  const dim = features.dim;
  const out = new Float32Array(window * dim);
  for (let r = 0; r < window; r++) {
    const frame = index * window + r;
    if (frame < features.frameCount) out.set(features.data.subarray(frame * dim, (frame + 1) * dim), r * dim);
    else out.set(silence, r * dim);
  }
  return out;
}
