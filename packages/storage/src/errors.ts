/**
 * Error catalogue of @portrait-farm/storage. Codes are stable; `httpStatus` is what a gateway should
 * answer when the error reaches a client.
 */
export const STORAGE_ERRORS = Object.freeze({
  STORAGE_BAD_KEY: { httpStatus: 400, description: 'An object key breaks the key rules.' },
  STORAGE_BAD_PREFIX: { httpStatus: 400, description: 'A key prefix breaks the prefix rules.' },
  STORAGE_BAD_URL: { httpStatus: 500, description: 'A storage URL cannot be parsed or names no known driver.' },
  STORAGE_BAD_OPTION: { httpStatus: 500, description: 'A driver option is out of range.' },
  STORAGE_NOT_FOUND: { httpStatus: 404, description: 'No object exists under the key.' },
  STORAGE_KEY_CONFLICT: {
    httpStatus: 409,
    description: 'The key collides with another key on a filesystem (a key is also a prefix of other keys).',
  },
  STORAGE_NO_PRESIGN_SECRET: {
    httpStatus: 500,
    description: 'The filesystem driver was asked to presign a URL without a signing secret.',
  },
  STORAGE_UNAVAILABLE: { httpStatus: 503, description: 'The backing store cannot be reached or used.' },
  STORAGE_IO: { httpStatus: 500, description: 'A read, write or delete failed in the backing store.' },
} as const);

export type StorageErrorCode = keyof typeof STORAGE_ERRORS;

/** Errors raised by storage drivers; `code` is stable, the message names the key or option and the problem. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly httpStatus: number;
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.httpStatus = STORAGE_ERRORS[code].httpStatus;
  }
}

/** True when `error` is a StorageError, optionally with the given code. */
export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
