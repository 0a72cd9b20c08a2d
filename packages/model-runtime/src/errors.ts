import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of @portrait-farm/model-runtime: stable codes, whether a retry may help, what each means. A run
 * that failed or a thread that died may succeed in another attempt (memory, a killed thread); a missing file or
 * provider will not.
 */
export const MODEL_RUNTIME_ERRORS = defineErrorCatalogue({
  MODEL_RUNTIME_FILE_MISSING: { retryable: false, description: 'The ONNX model file does not exist.' },
  MODEL_RUNTIME_NO_PROVIDER: { retryable: false, description: 'No execution provider of those allowed could load the model.' },
  MODEL_RUNTIME_UNKNOWN_PROVIDER: { retryable: false, description: 'An execution provider name is not one this runtime knows.' },
  MODEL_RUNTIME_BAD_FEEDS: { retryable: false, description: 'The inputs fed to a model do not match its input names or shapes.' },
  MODEL_RUNTIME_RUN_FAILED: { retryable: true, description: 'onnxruntime failed while running the model (out of memory, a provider error).' },
  MODEL_RUNTIME_CLOSED: { retryable: true, description: 'The session is closed (in a farm: its process was stopping; another may do the work).' },
  MODEL_RUNTIME_WORKER_DIED: { retryable: true, description: 'The inference thread stopped unexpectedly.' },
});

export type ModelRuntimeErrorCode = ErrorCode<typeof MODEL_RUNTIME_ERRORS>;

/** Errors raised by model-runtime; `code` is stable, the message names the model and what went wrong. */
export class ModelRuntimeError extends catalogueErrorClass('ModelRuntimeError', MODEL_RUNTIME_ERRORS) {}

/** True when `error` is a ModelRuntimeError, optionally with the given code. */
export const isModelRuntimeError = errorGuard(ModelRuntimeError);
