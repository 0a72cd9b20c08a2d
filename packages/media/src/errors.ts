import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of @portrait-farm/media: stable codes, whether a retry may help, what each means. ffmpeg failing
 * on a file that probed well is retried (killed, out of memory or disk); a file that does not probe is not.
 */
export const MEDIA_ERRORS = defineErrorCatalogue({
  MEDIA_FFMPEG_MISSING: { retryable: false, description: 'ffmpeg or ffprobe is not installed or not on PATH' },
  MEDIA_FILE_MISSING: { retryable: false, description: 'an input file does not exist' },
  MEDIA_UNREADABLE: { retryable: false, description: 'ffprobe cannot read the file as media' },
  MEDIA_NO_AUDIO: { retryable: false, description: 'the file has no audio stream' },
  MEDIA_NO_VIDEO: { retryable: false, description: 'the file has no video stream' },
  MEDIA_AUDIO_TOO_SHORT: { retryable: false, description: 'the audio is shorter than the allowed minimum' },
  MEDIA_AUDIO_TOO_LONG: { retryable: false, description: 'the audio is longer than the allowed maximum' },
  MEDIA_BAD_OPTION: { retryable: false, description: 'an option is out of its allowed range' },
  MEDIA_DECODE_FAILED: { retryable: true, description: 'ffmpeg failed while decoding' },
  MEDIA_BAD_FRAME: { retryable: false, description: 'a frame given to the encoder has the wrong size' },
  MEDIA_ENCODER_CLOSED: { retryable: false, description: 'the encoder was finished or aborted' },
  MEDIA_ENCODE_FAILED: { retryable: true, description: 'ffmpeg failed while encoding' },
  MEDIA_CONCAT_FAILED: { retryable: true, description: 'ffmpeg failed while concatenating chunks' },
  MEDIA_ABORTED: { retryable: false, description: 'the caller aborted the operation through its AbortSignal' },
});

export type MediaErrorCode = ErrorCode<typeof MEDIA_ERRORS>;

/** Errors raised by @portrait-farm/media; `code` is stable, the message names the file and what went wrong. */
export class MediaError extends catalogueErrorClass('MediaError', MEDIA_ERRORS) {}

/** True when `error` is a MediaError, optionally with the given code. */
export const isMediaError = errorGuard(MediaError);
