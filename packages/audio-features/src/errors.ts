/** Stable codes of {@link AudioFeaturesError}, with what each means. */
export const AUDIO_FEATURES_ERROR_CODES = Object.freeze({
  AUDIO_FEATURES_BAD_SAMPLES: 'samples are not a Float32Array of finite values',
  AUDIO_FEATURES_BAD_RANGE: 'a frame range or option is out of range',
  AUDIO_FEATURES_NEED_MORE_AUDIO: 'frames were asked for before enough audio arrived',
  AUDIO_FEATURES_BAD_MODEL: 'a front-end model returned an unexpected output',
  AUDIO_FEATURES_CLOSED: 'the front-end is closed',
} as const);

export type AudioFeaturesErrorCode = keyof typeof AUDIO_FEATURES_ERROR_CODES;

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
