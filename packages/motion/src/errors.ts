/** Stable codes of {@link MotionError}, with what each means. */
export const MOTION_ERROR_CODES = Object.freeze({
  MOTION_BAD_OPTION: 'a generator option is out of range',
  MOTION_BAD_FEATURES: 'the audio features do not fit the pack (dimension or length)',
  MOTION_MISSING_FEATURES: 'a window reads feature rows of the clip that the matrix does not hold',
  MOTION_BAD_WINDOW: 'a window index, count or context tail is invalid',
  MOTION_BAD_CONTROL: 'a motion control is out of range',
  MOTION_BAD_TRACK: 'a motion track has the wrong shape',
  MOTION_DENOISER_FAILED: 'the denoiser returned no or a wrongly sized prediction',
  MOTION_CLOSED: 'the generator is closed',
} as const);

export type MotionErrorCode = keyof typeof MOTION_ERROR_CODES;

/** Errors of motion generation and controls; `code` is stable, the message names the value and the allowed range. */
export class MotionError extends Error {
  override readonly name = 'MotionError';
  constructor(
    readonly code: MotionErrorCode,
    message: string,
  ) {
    super(message);
  }
}
