import { S3ServiceException } from '@aws-sdk/client-s3';
import { isTlsHandshakeError } from '@portrait-farm/contracts/tls-errors';
import { errorCode } from './atomic-file.ts';
import { StorageError } from './errors.ts';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** HTTP status of an SDK error, or null for errors that never got a response. */
export function httpStatusOf(error: unknown): number | null {
  if (error instanceof S3ServiceException) return error.$metadata.httpStatusCode ?? null;
  if (typeof error === 'object' && error !== null && '$metadata' in error) {
    const metadata: unknown = error.$metadata;
    if (typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata) {
      return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : null;
    }
  }
  return null;
}

/** STORAGE_TLS for a TLS handshake with the endpoint that cannot succeed (see isTlsHandshakeError), after `what`. */
export function s3TlsError(what: string, location: string, error: unknown): StorageError {
  const reason = error instanceof Error ? `${error.message} (${String(errorCode(error))})` : String(error);
  return new StorageError('STORAGE_TLS', `${what}: TLS to ${location} failed: ${reason}; trust the CA that signed its certificate with PORTRAIT_FARM_S3_CA.`, {
    cause: error,
  });
}

/** Maps an SDK or network error to a StorageError that names the operation, the key and the bucket. */
export function s3Error(operation: string, key: string, location: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const status = httpStatusOf(error);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (status === 404) {
    return new StorageError('STORAGE_NOT_FOUND', `No object under key ${JSON.stringify(key)} in ${location}.`, {
      cause: error,
    });
  }
  const code = errorCode(error);
  if (isTlsHandshakeError(error)) return s3TlsError(`Cannot ${operation} ${JSON.stringify(key)}`, location, error);
  if ((code !== undefined && UNREACHABLE.has(code)) || (status !== null && status >= 500)) {
    return new StorageError('STORAGE_UNAVAILABLE', `Cannot ${operation} ${JSON.stringify(key)}: ${location} is unavailable (${reason}).`, {
      cause: error,
    });
  }
  return new StorageError('STORAGE_IO', `Cannot ${operation} ${JSON.stringify(key)} in ${location}: ${reason}`, {
    cause: error,
  });
}
