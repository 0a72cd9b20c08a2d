export const FARM_ERROR_CODES = Object.freeze({
  FARM_BAD_CONFIG: 'A configuration value is missing, malformed or out of range.',
  FARM_BAD_WORK_FILE: 'A stored work file (clip.bin, relay-N.bin) is not in the expected format or version.',
  FARM_MISSING_INPUT: 'A step needs an object that is not in storage (input, relay of the previous segment, chunk).',
  FARM_JOB_NOT_FOUND: 'The job record does not exist.',
  FARM_PROCESS_FAILED: 'A farm child process could not be started or stopped.',
  FARM_DATA_DIR_IN_USE: 'Another local farm is running on the same data folder.',
} as const);

export type FarmErrorCode = keyof typeof FARM_ERROR_CODES;

/** Errors of the farm's steps and processes, with a stable code. */
export class FarmError extends Error {
  override readonly name = 'FarmError';
  constructor(
    readonly code: FarmErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isFarmError(error: unknown): error is FarmError {
  return error instanceof FarmError;
}
