import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/motion: stable codes, whether a retry may help, what each means. */
export const MOTION_ERRORS = defineErrorCatalogue({
  MOTION_BAD_OPTION: { retryable: false, description: 'a generator option is out of range' },
  MOTION_BAD_FEATURES: { retryable: false, description: 'the audio features do not fit the pack (dimension or length)' },
  MOTION_MISSING_FEATURES: { retryable: false, description: 'a window reads feature rows of the clip that the matrix does not hold' },
  MOTION_BAD_WINDOW: { retryable: false, description: 'a window index, count or context tail is invalid' },
  MOTION_BAD_CONTROL: { retryable: false, description: 'a motion control is out of range' },
  MOTION_BAD_TRACK: { retryable: false, description: 'a motion track has the wrong shape' },
  MOTION_DENOISER_FAILED: { retryable: false, description: 'the denoiser returned no or a wrongly sized prediction' },
  MOTION_CLOSED: { retryable: true, description: 'the generator is closed (in a farm: its process was stopping; another may do the work)' },
});

export type MotionErrorCode = ErrorCode<typeof MOTION_ERRORS>;

/** Errors of motion generation and controls; `code` is stable, the message names the value and the allowed range. */
export class MotionError extends catalogueErrorClass('MotionError', MOTION_ERRORS) {}

/** True when `error` is a MotionError, optionally with the given code. */
export const isMotionError = errorGuard(MotionError);
