import type { MotionControls } from '@portrait-farm/motion';
import type { ClipAudio } from './clip-audio.ts';
import type { SegmentPlan } from './segment-plan.ts';
import type { SourceImage } from './source-image.ts';

/** Motion settings of a clip: what a segment needs to generate its windows exactly as any other process would. */
export interface ClipMotionSettings {
  seed: number;
  steps: number | null;
  solver: 'ddim' | 'dpmpp-2m' | null;
  guidance: number | null;
  controls: MotionControls;
}

/**
 * Everything the prepare stage learns about a clip, from which any segment renders on its own: plain data (typed
 * arrays and numbers), so the farm can store it and hand it to workers, but for the audio, read by range from where
 * it is kept (the farm stores its samples as an object of their own).
 */
export interface PreparedClip {
  /** Output frame rate. */
  fps: number;
  audioSeconds: number;
  /** Motion frames at the pack's fps (= audio feature rows of the whole clip). */
  motionFrames: number;
  outputFrames: number;
  /** The clip's audio, 16 kHz mono: each segment computes the feature rows its windows read from its stretch. */
  audio: ClipAudio;
  /** The clip's mel peak (dB): segments floor their feature rows at it, so they equal the whole clip's rows. */
  melPeak: number;
  /** The picture the renderer animates (crop or full framing) with its landmarks. */
  source: SourceImage;
  /** The channel values the portrait itself shows (the renderer's estimate), which motion is fitted to. */
  neutral: Float32Array;
  motion: ClipMotionSettings;
  segments: SegmentPlan[];
}

/**
 * What segment i hands to segment i+1: the last K motion frames of its windows, normalised (the denoiser's
 * context) and as generated (for resampling across the boundary).
 */
export interface SegmentRelay {
  tail: Float32Array;
  motion: Float32Array;
}
