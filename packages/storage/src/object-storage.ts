import type { Readable } from 'node:stream';

/**
 * What `put` accepts: bytes in memory, a Node stream, or a file on local disk named by `{ path }`.
 * A bare string is deliberately not accepted, so that string content can never be mistaken for a path.
 */
export type ObjectBody = Buffer | Uint8Array | Readable | { readonly path: string };

export interface PutOptions {
  /**
   * MIME type stored with the object (S3) and returned by `head`.
   * The filesystem driver does not store it.
   * @defaultValue none (S3 then answers application/octet-stream)
   */
  contentType?: string;
}

export interface ObjectInfo {
  /** Size in bytes. */
  size: number;
  /** Entity tag as the store reports it (S3: quoted MD5 or multipart tag; filesystem: derived from inode, size and mtime). */
  etag: string | null;
  lastModified: Date;
  /** Content type when the store keeps one, else null. */
  contentType: string | null;
}

export interface ListOptions {
  /**
   * Most keys to return.
   * @defaultValue no limit (every key under the prefix)
   */
  limit?: number;
  /** Return only keys that sort after this one (pass the last key of the previous page). */
  after?: string;
}

export interface PresignOptions {
  /**
   * Lifetime of the URL in seconds, 1 to 604800 (7 days, the S3 maximum).
   * @defaultValue 900
   */
  expiresSeconds?: number;
}

/**
 * One object store. Keys are "/"-separated relative paths (see `assertValidKey`); every method
 * validates its key first and throws StorageError('STORAGE_BAD_KEY') before touching the store.
 * Portable key layouts never use a key that is also a "directory" of other keys ("a" and "a/b"):
 * S3 allows it, the filesystem driver answers STORAGE_KEY_CONFLICT.
 */
/** Bytes `start` to `end` of an object, both inclusive (as in an HTTP Range header). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectStorage {
  /** Driver name, e.g. "filesystem" or "s3". */
  readonly driver: string;
  /** Where the objects live, for logs (never contains credentials). */
  readonly location: string;

  /** Writes an object, replacing any previous one. Readers never see a partly written object. */
  put(key: string, body: ObjectBody, options?: PutOptions): Promise<void>;
  /**
   * Writes an object only if no object exists under the key. Returns true when this call created it,
   * false when one already existed (which is then left untouched).
   */
  putIfAbsent(key: string, body: ObjectBody, options?: PutOptions): Promise<boolean>;
  /** Reads a whole object into memory. Throws STORAGE_NOT_FOUND when missing. */
  get(key: string): Promise<Buffer>;
  /**
   * Opens an object, or the bytes `range.start` to `range.end` (inclusive) of it, for streaming. Throws
   * STORAGE_NOT_FOUND (before returning) when missing.
   */
  getStream(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * Downloads an object to a local file, atomically (temporary file + rename). Returns the size written. The file
   * may share its bytes with the store (the filesystem driver hard-links it when it can): read it, never write it.
   */
  getToFile(key: string, path: string): Promise<number>;
  /** Size, etag and date of an object, or null when missing. */
  head(key: string): Promise<ObjectInfo | null>;
  exists(key: string): Promise<boolean>;
  /** Deletes an object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with the (non-empty) prefix; returns how many were deleted. */
  deletePrefix(prefix: string): Promise<number>;
  /** Keys starting with the prefix, in UTF-8 byte order (the S3 order). */
  list(prefix: string, options?: ListOptions): Promise<string[]>;
  /**
   * A URL that lets its holder GET the object until it expires. S3: an absolute presigned URL;
   * filesystem: `{baseUrl}/v1/files/{key}?expires=..&sig=..`, served by the gateway.
   */
  presignGet(key: string, options?: PresignOptions): Promise<string>;
  /** Readiness probe: resolves when the store can be read and written, else throws STORAGE_UNAVAILABLE. */
  check(): Promise<void>;
  /** Releases sockets and handles. */
  close(): Promise<void>;
}
