import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of the job steps and of the worker and stitcher processes that run them: stable codes, whether a
 * retry may help, what each means. The codes keep their FARM_ names: they are stored in job records and webhooks.
 */
export const JOB_STEP_ERRORS = defineErrorCatalogue({
  FARM_BAD_CONFIG: { retryable: false, description: 'A configuration value is missing, malformed or out of range.' },
  FARM_BAD_WORK_FILE: { retryable: false, description: 'A stored work file (clip.bin, samples.f32, relay-N.bin) is not in the expected format or version.' },
  FARM_MISSING_INPUT: {
    retryable: false,
    description: 'A step needs an object that is not in storage (input, relay of the previous segment, chunk); each is stored before the step is queued.',
  },
  FARM_JOB_NOT_FOUND: { retryable: false, description: 'The job record does not exist.' },
  FARM_STEP_FAILED: {
    retryable: true,
    description: 'A step failed with an error no catalogue describes (a bug, a library exception); retried, as it may be transient.',
  },
});

export type JobStepErrorCode = ErrorCode<typeof JOB_STEP_ERRORS>;

/** Errors of the job steps and their processes, with a stable code. */
export class JobStepError extends catalogueErrorClass('JobStepError', JOB_STEP_ERRORS) {}

/** True when `error` is a JobStepError, optionally with the given code. */
export const isJobStepError = errorGuard(JobStepError);
