import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/audio-features: stable codes, whether a retry may help, what each means. */
export const AUDIO_FEATURES_ERRORS = defineErrorCatalogue({
  AUDIO_FEATURES_BAD_SAMPLES: { retryable: false, description: 'samples are not a Float32Array of finite values' },
  AUDIO_FEATURES_BAD_RANGE: { retryable: false, description: 'a frame range or option is out of range' },
  AUDIO_FEATURES_NEED_MORE_AUDIO: { retryable: false, description: 'frames were asked for before enough audio arrived' },
  AUDIO_FEATURES_BAD_MODEL: { retryable: false, description: 'a front-end model returned an unexpected output' },
  AUDIO_FEATURES_STREAM_RESET: { retryable: false, description: 'rows were asked for of an utterance that a feature stream dropped (reset, barge-in)' },
  AUDIO_FEATURES_STREAM_ENDED: { retryable: false, description: 'audio was pushed to a feature stream after end() without a reset()' },
  AUDIO_FEATURES_CLOSED: { retryable: true, description: 'the front-end is closed (in a farm: its process was stopping; another may do the work)' },
});

export type AudioFeaturesErrorCode = ErrorCode<typeof AUDIO_FEATURES_ERRORS>;

/** Errors of the audio front-end; `code` is stable, the message names the value received and what was allowed. */
export class AudioFeaturesError extends catalogueErrorClass('AudioFeaturesError', AUDIO_FEATURES_ERRORS) {}

/** True when `error` is an AudioFeaturesError, optionally with the given code. */
export const isAudioFeaturesError = errorGuard(AudioFeaturesError);
