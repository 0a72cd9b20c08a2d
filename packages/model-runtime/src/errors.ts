export type ModelRuntimeErrorCode =
  | 'MODEL_RUNTIME_FILE_MISSING'
  | 'MODEL_RUNTIME_NO_PROVIDER'
  | 'MODEL_RUNTIME_UNKNOWN_PROVIDER'
  | 'MODEL_RUNTIME_BAD_FEEDS'
  | 'MODEL_RUNTIME_RUN_FAILED'
  | 'MODEL_RUNTIME_CLOSED'
  | 'MODEL_RUNTIME_WORKER_DIED';

/** Errors raised by model-runtime; `code` is stable, the message names the model and what went wrong. */
export class ModelRuntimeError extends Error {
  override readonly name = 'ModelRuntimeError';
  constructor(
    readonly code: ModelRuntimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}
