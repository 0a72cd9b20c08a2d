import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { StorageError } from './errors.ts';
import type { ObjectBody } from './object-storage.ts';

export function isPathBody(body: ObjectBody): body is { readonly path: string } {
  return !(body instanceof Uint8Array) && !(body instanceof Readable) && typeof body === 'object' && body !== null;
}

/** Rejects values that are not one of the accepted body kinds, naming what was received. */
export function assertValidBody(key: string, body: ObjectBody): void {
  if (body instanceof Uint8Array || body instanceof Readable) return;
  if (isPathBody(body) && typeof body.path === 'string' && body.path.length > 0) return;
  const received = typeof body === 'string' ? 'a string (pass { path } for a file, or a Buffer for content)' : typeof body;
  throw new StorageError(
    'STORAGE_BAD_OPTION',
    `Body for ${JSON.stringify(key)} must be a Buffer, Uint8Array, Readable or { path }. Received: ${received}`,
  );
}

/** The body as a stream (files are opened lazily by createReadStream). */
export function bodyToReadable(body: ObjectBody): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof Uint8Array) return Readable.from([body]);
  return createReadStream(body.path);
}

/** The body in memory. */
export async function bodyToBuffer(body: ObjectBody): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of bodyToReadable(body)) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}
