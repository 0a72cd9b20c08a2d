/** Error catalogue of @portrait-farm/queue; `code` is stable. */
export const QUEUE_ERRORS = Object.freeze({
  QUEUE_BAD_PAYLOAD: { description: 'A job payload is missing a field or has one out of range.' },
  QUEUE_BAD_OPTION: { description: 'An option (priority, delay, Redis URL, prefix) is malformed or out of range.' },
} as const);

export type QueueErrorCode = keyof typeof QUEUE_ERRORS;

export class QueueError extends Error {
  override readonly name = 'QueueError';

  constructor(
    readonly code: QueueErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isQueueError(error: unknown, code?: QueueErrorCode): error is QueueError {
  return error instanceof QueueError && (code === undefined || error.code === code);
}
