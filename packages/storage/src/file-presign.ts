import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageError } from './errors.ts';
import { assertValidKey } from './keys.ts';

/** Path under which the gateway serves presigned filesystem objects. */
export const PRESIGNED_FILES_PATH = '/v1/files/';

export const MIN_PRESIGN_SECONDS = 1;
export const MAX_PRESIGN_SECONDS = 604_800;
export const DEFAULT_PRESIGN_SECONDS = 900;

function signature(secret: string | Buffer, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`GET\n${key}\n${expires}`).digest('base64url');
}

export function resolveExpiresSeconds(expiresSeconds: number | undefined): number {
  const value = expiresSeconds ?? DEFAULT_PRESIGN_SECONDS;
  if (!Number.isInteger(value) || value < MIN_PRESIGN_SECONDS || value > MAX_PRESIGN_SECONDS) {
    throw new StorageError(
      'STORAGE_BAD_OPTION',
      `expiresSeconds must be an integer between ${MIN_PRESIGN_SECONDS} and ${MAX_PRESIGN_SECONDS}. Received: ${String(expiresSeconds)}`,
    );
  }
  return value;
}

/** Encodes a key for a URL path, keeping its "/" separators. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/**
 * Builds `{baseUrl}/v1/files/{key}?expires={unix seconds}&sig={base64url HMAC-SHA256}`.
 * The signature covers the method, the key and the expiry time.
 */
export function presignFileUrl(
  secret: string | Buffer,
  key: string,
  options: { expiresSeconds?: number; baseUrl?: string; now?: number },
): string {
  assertValidKey(key);
  const lifetime = resolveExpiresSeconds(options.expiresSeconds);
  const now = options.now ?? Date.now();
  const expires = Math.floor(now / 1000) + lifetime;
  const base = (options.baseUrl ?? '').replace(/\/+$/, '');
  return `${base}${PRESIGNED_FILES_PATH}${encodeKeyPath(key)}?expires=${expires}&sig=${signature(secret, key, expires)}`;
}

/**
 * Checks a presigned filesystem URL's parts (key already URL-decoded, `expires` and `sig` as received in the
 * query). True only when the signature matches (constant-time) and the URL has not expired.
 */
export function verifyPresignedFile(
  secret: string | Buffer,
  key: string,
  expires: string | number,
  sig: string,
  now: number = Date.now(),
): boolean {
  const expiresNumber = typeof expires === 'number' ? expires : /^\d{1,12}$/.test(expires) ? Number(expires) : NaN;
  if (!Number.isSafeInteger(expiresNumber) || typeof sig !== 'string') return false;
  if (expiresNumber < Math.floor(now / 1000)) return false;
  try {
    assertValidKey(key);
  } catch {
    return false;
  }
  const expected = Buffer.from(signature(secret, key, expiresNumber), 'utf8');
  const received = Buffer.from(sig, 'utf8');
  return expected.length === received.length && timingSafeEqual(expected, received);
}
