export { createAudioFrontEnd } from './audio-front-end.ts';
export type { AudioFeatures, AudioFrontEnd, AudioFrontEndOptions, FeatureRangeOptions, FeatureRows } from './audio-front-end.ts';
export type { MelPeakStream } from './mel-peak-stream.ts';
export { AUDIO_FEATURES_ERRORS, AudioFeaturesError, isAudioFeaturesError } from './errors.ts';
export type { AudioFeaturesErrorCode } from './errors.ts';
export { FEATURE_DIM, SAMPLE_RATE, SAMPLES_PER_FRAME, frameCount, samplesForFrames, samplesNeeded } from './front-end-layout.ts';
export type { SampleStretch } from './sample-stretch.ts';
