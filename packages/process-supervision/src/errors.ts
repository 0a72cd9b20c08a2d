export const PROCESS_ERROR_CODES = Object.freeze({
  PROCESS_SPAWN_FAILED: 'The program could not be started (not found, not executable).',
  PROCESS_EXITED: 'The process exited before it was ready.',
  PROCESS_NOT_READY: 'The process did not pass its readiness check in time.',
  PROCESS_PORT_IN_USE: 'The port the process needs is held by another process.',
  PROCESS_ABORTED: 'Waiting for the process was aborted (the caller is stopping).',
} as const);

export type ProcessErrorCode = keyof typeof PROCESS_ERROR_CODES;

/** Errors of starting and waiting for child processes, with a stable code. */
export class ProcessError extends Error {
  override readonly name = 'ProcessError';
  constructor(
    readonly code: ProcessErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isProcessError(error: unknown): error is ProcessError {
  return error instanceof ProcessError;
}
