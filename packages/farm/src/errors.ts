import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts';
import type { ErrorCode } from '@portrait-farm/contracts';

/** Error catalogue of the farm's steps and processes: stable codes, whether a retry may help, what each means. */
export const FARM_ERRORS = defineErrorCatalogue({
  FARM_BAD_CONFIG: { retryable: false, description: 'A configuration value is missing, malformed or out of range.' },
  FARM_BAD_WORK_FILE: { retryable: false, description: 'A stored work file (clip.bin, relay-N.bin) is not in the expected format or version.' },
  FARM_MISSING_INPUT: {
    retryable: false,
    description: 'A step needs an object that is not in storage (input, relay of the previous segment, chunk); each is stored before the step is queued.',
  },
  FARM_JOB_NOT_FOUND: { retryable: false, description: 'The job record does not exist.' },
  FARM_STEP_FAILED: {
    retryable: true,
    description: 'A step failed with an error no catalogue describes (a bug, a library exception); retried, as it may be transient.',
  },
  FARM_PROCESS_FAILED: { retryable: false, description: 'A farm child process could not be started or stopped.' },
  FARM_DATA_DIR_IN_USE: { retryable: false, description: 'Another local farm is running on the same data folder.' },
});

export type FarmErrorCode = ErrorCode<typeof FARM_ERRORS>;

/** Errors of the farm's steps and processes, with a stable code. */
export class FarmError extends catalogueErrorClass('FarmError', FARM_ERRORS) {}

/** True when `error` is a FarmError, optionally with the given code. */
export const isFarmError = errorGuard(FarmError);
