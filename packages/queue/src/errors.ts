import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/queue: stable codes, whether a retry may help, what each means. */
export const QUEUE_ERRORS = defineErrorCatalogue({
  QUEUE_BAD_PAYLOAD: { retryable: false, description: 'A job payload is missing a field or has one out of range.' },
  QUEUE_BAD_OPTION: { retryable: false, description: 'An option (priority, delay, Redis URL, CA file, prefix) is malformed or out of range.' },
  QUEUE_REDIS_TLS: { retryable: false, description: "TLS to Redis failed for good: the server's certificate is not trusted (PORTRAIT_FARM_REDIS_CA) or the server speaks no TLS." },
});

export type QueueErrorCode = ErrorCode<typeof QUEUE_ERRORS>;

/** Errors of the farm queues; `code` is stable, the message names the field and the value received. */
export class QueueError extends catalogueErrorClass('QueueError', QUEUE_ERRORS) {}

/** True when `error` is a QueueError, optionally with the given code. */
export const isQueueError = errorGuard(QueueError);
