/** Error catalogue of @portrait-farm/jobs; `code` is stable, `status` is the HTTP status the gateway answers. */
export const JOBS_ERRORS = Object.freeze({
  JOBS_NOT_FOUND: { status: 404, description: 'No job with this id belongs to the tenant.' },
  JOBS_IDEMPOTENCY_CONFLICT: {
    status: 409,
    description: 'The Idempotency-Key was already used by this tenant with a different request body.',
  },
  JOBS_CONCURRENCY_LIMIT: { status: 429, description: 'The tenant already has as many active jobs as it may.' },
  JOBS_ALREADY_FINISHED: { status: 409, description: 'The job already reached another terminal state.' },
  JOBS_BAD_ARGUMENT: { status: 400, description: 'An argument passed to the job store is malformed or out of range.' },
} as const);

export type JobsErrorCode = keyof typeof JOBS_ERRORS;

/** Errors of the job store. */
export class JobsError extends Error {
  override readonly name = 'JobsError';
  readonly status: number;

  constructor(
    readonly code: JobsErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.status = JOBS_ERRORS[code].status;
  }
}

/** True when `error` is a JobsError, optionally with the given code. */
export function isJobsError(error: unknown, code?: JobsErrorCode): error is JobsError {
  return error instanceof JobsError && (code === undefined || error.code === code);
}
