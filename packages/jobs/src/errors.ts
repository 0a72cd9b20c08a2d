import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/jobs; `code` is stable, `status` is the HTTP status the gateway answers. */
export const JOBS_ERRORS = defineErrorCatalogue({
  JOBS_NOT_FOUND: { status: 404, retryable: false, description: 'No job with this id belongs to the tenant.' },
  JOBS_IDEMPOTENCY_CONFLICT: {
    status: 409,
    retryable: false,
    description: 'The Idempotency-Key was already used by this tenant with a different request body.',
  },
  JOBS_QUEUE_FULL: {
    status: 429,
    retryable: true,
    description: 'The tenant already has as many jobs queued behind its running ones as it may (a later try succeeds once some end).',
  },
  JOBS_ALREADY_FINISHED: { status: 409, retryable: false, description: 'The job already reached another terminal state.' },
  JOBS_BAD_ARGUMENT: { status: 400, retryable: false, description: 'An argument passed to the job store is malformed or out of range.' },
});

export type JobsErrorCode = ErrorCode<typeof JOBS_ERRORS>;

/** Errors of the job store. */
export class JobsError extends catalogueErrorClass('JobsError', JOBS_ERRORS) {
  constructor(
    code: JobsErrorCode,
    message: string,
    /** What the message says, as fields (the held count and cap of JOBS_QUEUE_FULL). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(code, message);
  }
}

/** True when `error` is a JobsError, optionally with the given code. */
export const isJobsError = errorGuard(JobsError);
