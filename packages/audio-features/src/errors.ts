export type AudioFeaturesErrorCode =
  | 'AUDIO_FEATURES_BAD_SAMPLES'
  | 'AUDIO_FEATURES_BAD_RANGE'
  | 'AUDIO_FEATURES_NEED_MORE_AUDIO'
  | 'AUDIO_FEATURES_BAD_MODEL'
  | 'AUDIO_FEATURES_CLOSED';

/** Errors of the audio front-end; `code` is stable, the message names the value received and what was allowed. */
export class AudioFeaturesError extends Error {
  override readonly name = 'AudioFeaturesError';
  constructor(
    readonly code: AudioFeaturesErrorCode,
    message: string,
  ) {
    super(message);
  }
}
