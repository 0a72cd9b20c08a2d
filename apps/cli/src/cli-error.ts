import { catalogueErrorClass, defineErrorCatalogue } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of the CLI itself: stable codes, whether a retry may help, what each means. */
export const CLI_ERRORS = defineErrorCatalogue({
  CLI_USAGE: { retryable: false, description: 'An unknown, missing or malformed argument or option; exits with 2.' },
  CLI_ENGINE_MISSING: { retryable: false, description: 'The render engine package cannot be loaded (not installed, or without renderClip).' },
});

export type CliErrorCode = ErrorCode<typeof CLI_ERRORS>;

/**
 * Errors raised by the CLI itself. `CLI_USAGE` exits with 2; `showUsage` asks for the command's usage text
 * (unknown or missing options), otherwise only the message and a hint are printed.
 */
export class CliError extends catalogueErrorClass('CliError', CLI_ERRORS) {
  constructor(
    code: CliErrorCode,
    message: string,
    readonly showUsage = false,
  ) {
    super(code, message);
  }
}

export function usageError(message: string, showUsage = false): CliError {
  return new CliError('CLI_USAGE', message, showUsage);
}
