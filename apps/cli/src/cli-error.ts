export type CliErrorCode = 'CLI_USAGE' | 'CLI_ENGINE_MISSING';

/**
 * Errors raised by the CLI itself. `CLI_USAGE` exits with 2; `showUsage` asks for the command's usage text
 * (unknown or missing options), otherwise only the message and a hint are printed.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export function usageError(message: string, showUsage = false): CliError {
  return new CliError('CLI_USAGE', message, showUsage);
}
