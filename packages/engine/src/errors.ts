import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of the engine: stable codes, whether a retry may help, what each means. */
export const ENGINE_ERRORS = defineErrorCatalogue({
  ENGINE_BAD_OPTION: { retryable: false, description: 'An option is out of its allowed range or of the wrong kind.' },
  ENGINE_INPUT_MISSING: { retryable: false, description: 'An input file does not exist or is not a file.' },
  ENGINE_OUTPUT_UNWRITABLE: { retryable: false, description: 'The output folder does not exist or cannot be written.' },
  ENGINE_CANCELED: { retryable: false, description: 'The render was canceled through its AbortSignal.' },
  ENGINE_RENDER_THREAD_DIED: { retryable: true, description: 'A render thread stopped unexpectedly (killed, out of memory).' },
});

export type EngineErrorCode = ErrorCode<typeof ENGINE_ERRORS>;

/** Errors of the engine itself; errors of the stages (face, media, pack, motion) pass through with their codes. */
export class EngineError extends catalogueErrorClass('EngineError', ENGINE_ERRORS) {}

/** True when `error` is an EngineError, optionally with the given code. */
export const isEngineError = errorGuard(EngineError);
