import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of @portrait-farm/storage. Codes are stable; `status` is what a gateway should answer when the
 * error reaches a client; `retryable` is true where the backing store failed, not the request.
 */
export const STORAGE_ERRORS = defineErrorCatalogue({
  STORAGE_BAD_KEY: { status: 400, retryable: false, description: 'An object key breaks the key rules.' },
  STORAGE_BAD_PREFIX: { status: 400, retryable: false, description: 'A key prefix breaks the prefix rules.' },
  STORAGE_BAD_URL: { status: 500, retryable: false, description: 'A storage URL cannot be parsed or names no known driver.' },
  STORAGE_BAD_OPTION: { status: 500, retryable: false, description: 'A driver option is out of range.' },
  STORAGE_NOT_FOUND: { status: 404, retryable: false, description: 'No object exists under the key.' },
  STORAGE_KEY_CONFLICT: {
    status: 409,
    retryable: false,
    description: 'The key collides with another key on a filesystem (a key is also a prefix of other keys).',
  },
  STORAGE_NO_PRESIGN_SECRET: {
    status: 500,
    retryable: false,
    description: 'The filesystem driver was asked to presign a URL without a signing secret.',
  },
  STORAGE_UNAVAILABLE: { status: 503, retryable: true, description: 'The backing store cannot be reached or used.' },
  STORAGE_TLS: {
    status: 503,
    retryable: false,
    description: "TLS to the S3 endpoint failed: its certificate is not trusted (PORTRAIT_FARM_S3_CA) or it speaks no TLS.",
  },
  STORAGE_FULL: {
    status: 507,
    retryable: true,
    description: 'The backing store has no space left (ENOSPC) or the quota is used up (EDQUOT); retried, as space may be freed.',
  },
  STORAGE_IO: { status: 500, retryable: true, description: 'A read, write or delete failed in the backing store.' },
});

export type StorageErrorCode = ErrorCode<typeof STORAGE_ERRORS>;

/** Errors raised by storage drivers; `code` is stable, the message names the key or option and the problem. */
export class StorageError extends catalogueErrorClass('StorageError', STORAGE_ERRORS) {}

/** True when `error` is a StorageError, optionally with the given code. */
export const isStorageError = errorGuard(StorageError);
