import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/live-media: stable codes, whether a retry may help, what each means. */
export const LIVE_MEDIA_ERRORS = defineErrorCatalogue({
  LIVE_MEDIA_FFMPEG_MISSING: { retryable: false, description: 'ffmpeg is not installed or not on PATH' },
  LIVE_MEDIA_BAD_OPTION: { retryable: false, description: 'an encoder or muxer option is out of its allowed range' },
  LIVE_MEDIA_BAD_INPUT: { retryable: false, description: 'a frame or sample block given to an encoder has the wrong size or type' },
  LIVE_MEDIA_ENCODER_CLOSED: { retryable: false, description: 'the encoder was closed or destroyed before the call' },
  LIVE_MEDIA_ENCODER_FAILED: { retryable: true, description: 'ffmpeg exited or was killed while encoding' },
  LIVE_MEDIA_BAD_STREAM: { retryable: false, description: "ffmpeg's output could not be parsed (FLV tags, Ogg pages, H.264 or Opus headers)" },
});

export type LiveMediaErrorCode = ErrorCode<typeof LIVE_MEDIA_ERRORS>;

/** Errors raised by @portrait-farm/live-media; `code` is stable, the message says what was expected and what came. */
export class LiveMediaError extends catalogueErrorClass('LiveMediaError', LIVE_MEDIA_ERRORS) {}

/** True when `error` is a LiveMediaError, optionally with the given code. */
export const isLiveMediaError = errorGuard(LiveMediaError);
