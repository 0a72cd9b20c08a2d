import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of the local farm (`portrait-farm up`, `demo`): stable codes, whether a retry may help, what each
 * means. The codes are those the farm package gave these errors before the local farm moved to the CLI.
 */
export const LOCAL_FARM_ERRORS = defineErrorCatalogue({
  FARM_BAD_CONFIG: { retryable: false, description: 'A local farm option or its stored credentials file is malformed or out of range.' },
  FARM_PROCESS_FAILED: { retryable: false, description: 'A farm child process could not be started or stopped, or the demo job did not succeed.' },
  FARM_DATA_DIR_IN_USE: { retryable: false, description: 'Another local farm is running on the same data folder.' },
});

export type LocalFarmErrorCode = ErrorCode<typeof LOCAL_FARM_ERRORS>;

/** Errors of the local farm runner and the demo, with a stable code. */
export class LocalFarmError extends catalogueErrorClass('LocalFarmError', LOCAL_FARM_ERRORS) {}

/** True when `error` is a LocalFarmError, optionally with the given code. */
export const isLocalFarmError = errorGuard(LocalFarmError);
