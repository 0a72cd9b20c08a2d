import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/process-supervision: starting and waiting for child processes. */
export const PROCESS_ERRORS = defineErrorCatalogue({
  PROCESS_SPAWN_FAILED: { retryable: false, description: 'the program could not be started (not found, not executable)' },
  PROCESS_EXITED: { retryable: true, description: 'the process exited before it was ready' },
  PROCESS_NOT_READY: { retryable: true, description: 'the process did not pass its readiness check in time' },
  PROCESS_PORT_IN_USE: { retryable: false, description: 'the port the process needs is held by another process' },
  PROCESS_ABORTED: { retryable: false, description: 'waiting for the process was aborted (the caller is stopping)' },
});

export type ProcessErrorCode = ErrorCode<typeof PROCESS_ERRORS>;

/** Errors of starting and waiting for child processes, with a stable code. */
export class ProcessError extends catalogueErrorClass('ProcessError', PROCESS_ERRORS) {}

/** True when `error` is a ProcessError, optionally with the given code. */
export const isProcessError = errorGuard(ProcessError);
