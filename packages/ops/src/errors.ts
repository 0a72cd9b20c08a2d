import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/ops; `status` is the HTTP status the gateway answers. */
export const OPS_ERRORS = defineErrorCatalogue({
  OPS_BAD_ARGUMENT: { status: 400, retryable: false, description: 'A filter, page size or cursor of an operator request is malformed.' },
  OPS_QUEUE_NOT_FOUND: { status: 404, retryable: false, description: 'No farm queue has this name.' },
  OPS_JOB_NOT_RETRYABLE: { status: 409, retryable: false, description: 'Only a failed or canceled job can be retried; this one is running or succeeded.' },
  OPS_INPUTS_MISSING: { status: 409, retryable: false, description: 'The job\'s stored inputs are gone, so it cannot run again.' },
});

export type OpsErrorCode = ErrorCode<typeof OPS_ERRORS>;

export class OpsError extends catalogueErrorClass('OpsError', OPS_ERRORS) {}

/** True when `error` is an OpsError, optionally with the given code. */
export const isOpsError = errorGuard(OpsError);
