import { StorageError } from './errors.ts';

/** Longest key accepted, in UTF-8 bytes (the S3 limit). */
export const MAX_KEY_BYTES = 1024;

/** Longest segment (the text between two "/") accepted, in UTF-8 bytes: the usual filesystem name limit. */
export const MAX_SEGMENT_BYTES = 255;

/**
 * Name prefix reserved for the filesystem driver's temporary files; no key segment may start with it,
 * so a half-written temporary file can never be mistaken for an object.
 */
export const RESERVED_SEGMENT_PREFIX = '.pf-tmp-';

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}...` : value);
}

function problemOf(value: string, allowTrailingSlash: boolean): string | null {
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) {
    return `is ${Buffer.byteLength(value, 'utf8')} bytes long, the maximum is ${MAX_KEY_BYTES}`;
  }
  if (value.startsWith('/')) return 'starts with "/"';
  if (value.includes('\\')) return 'contains a backslash';
  if (CONTROL_CHARS.test(value)) return 'contains a control character';
  if (LONE_SURROGATE.test(value)) return 'contains a lone UTF-16 surrogate';
  const segments = value.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '..') return 'contains a ".." segment';
    if (segment === '.') return 'contains a "." segment';
    if (segment === '') return 'contains an empty segment ("//" or a trailing "/")';
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return `has a segment of ${Buffer.byteLength(segment, 'utf8')} bytes, the maximum is ${MAX_SEGMENT_BYTES}`;
    }
    if (segment.startsWith(RESERVED_SEGMENT_PREFIX)) {
      return `contains a segment starting with the reserved "${RESERVED_SEGMENT_PREFIX}"`;
    }
  }
  return null;
}

/**
 * Checks an object key: relative, "/"-separated, no "." or ".." or empty segments, no backslash, no control
 * characters, at most 1024 UTF-8 bytes in all and 255 per segment. Throws STORAGE_BAD_KEY naming the key.
 */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new StorageError('STORAGE_BAD_KEY', `Object key must be a non-empty string. Received: ${String(key)}`);
  }
  const problem = problemOf(key, false);
  if (problem !== null) {
    throw new StorageError('STORAGE_BAD_KEY', `Object key ${describe(key)} ${problem}.`);
  }
}

/**
 * Checks a key prefix: the empty string, or a string that follows the key rules and may end with "/".
 * Throws STORAGE_BAD_PREFIX naming the prefix.
 */
export function assertValidPrefix(prefix: string, options: { allowEmpty: boolean }): void {
  if (typeof prefix !== 'string') {
    throw new StorageError('STORAGE_BAD_PREFIX', `Key prefix must be a string. Received: ${String(prefix)}`);
  }
  if (prefix.length === 0) {
    if (options.allowEmpty) return;
    throw new StorageError('STORAGE_BAD_PREFIX', 'Key prefix must not be empty here (it would match every object).');
  }
  const problem = problemOf(prefix, true);
  if (problem !== null) {
    throw new StorageError('STORAGE_BAD_PREFIX', `Key prefix ${describe(prefix)} ${problem}.`);
  }
}

/** Orders keys by their UTF-8 bytes, the order S3 lists them in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
