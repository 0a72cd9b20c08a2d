export type MediaErrorCode =
  | 'MEDIA_FFMPEG_MISSING'
  | 'MEDIA_FILE_MISSING'
  | 'MEDIA_UNREADABLE'
  | 'MEDIA_NO_AUDIO'
  | 'MEDIA_NO_VIDEO'
  | 'MEDIA_AUDIO_TOO_SHORT'
  | 'MEDIA_AUDIO_TOO_LONG'
  | 'MEDIA_BAD_OPTION'
  | 'MEDIA_DECODE_FAILED'
  | 'MEDIA_BAD_FRAME'
  | 'MEDIA_ENCODER_CLOSED'
  | 'MEDIA_ENCODE_FAILED'
  | 'MEDIA_CONCAT_FAILED'
  | 'MEDIA_ABORTED';

/** What each code means; the catalogue is checked by a test so codes stay documented and stable. */
export const MEDIA_ERROR_CODES: Readonly<Record<MediaErrorCode, string>> = Object.freeze({
  MEDIA_FFMPEG_MISSING: 'ffmpeg or ffprobe is not installed or not on PATH',
  MEDIA_FILE_MISSING: 'an input file does not exist',
  MEDIA_UNREADABLE: 'ffprobe cannot read the file as media',
  MEDIA_NO_AUDIO: 'the file has no audio stream',
  MEDIA_NO_VIDEO: 'the file has no video stream',
  MEDIA_AUDIO_TOO_SHORT: 'the audio is shorter than the allowed minimum',
  MEDIA_AUDIO_TOO_LONG: 'the audio is longer than the allowed maximum',
  MEDIA_BAD_OPTION: 'an option is out of its allowed range',
  MEDIA_DECODE_FAILED: 'ffmpeg failed while decoding',
  MEDIA_BAD_FRAME: 'a frame given to the encoder has the wrong size',
  MEDIA_ENCODER_CLOSED: 'the encoder was finished or aborted',
  MEDIA_ENCODE_FAILED: 'ffmpeg failed while encoding',
  MEDIA_CONCAT_FAILED: 'ffmpeg failed while concatenating chunks',
  MEDIA_ABORTED: 'the caller aborted the operation through its AbortSignal',
});

/** Errors raised by @portrait-farm/media; `code` is stable, the message names the file and what went wrong. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  constructor(
    readonly code: MediaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
