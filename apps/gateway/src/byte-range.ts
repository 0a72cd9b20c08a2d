import type { ByteRange } from '@portrait-farm/storage';
import { GatewayError } from './errors.ts';

/**
 * The one byte range a `Range` header asks of a file of `size` bytes (RFC 9110): `bytes=a-b`, `bytes=a-` or
 * `bytes=-n`; null when there is no header or it is not a bytes range (answered with the whole file, as the RFC
 * allows). Several ranges, or a range starting past the end, are refused with 416.
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header.trim());
  if (match === null) {
    if (/^bytes=/.test(header.trim())) throw unsatisfiable(header, size);
    return null;
  }
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') throw unsatisfiable(header, size);
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw unsatisfiable(header, size);
  return { start, end };
}

function unsatisfiable(header: string, size: number): GatewayError {
  return new GatewayError(
    'GATEWAY_RANGE_NOT_SATISFIABLE',
    `Range must be one range of bytes within the file's ${size} bytes (bytes=first-last, bytes=first- or bytes=-count). Received: ${header.slice(0, 80)}`,
    { 'content-range': `bytes */${size}` },
  );
}
