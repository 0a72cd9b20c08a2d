import { constants } from 'node:fs';
import { access, lstat, mkdir, open, readFile, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { errorCode, linkFileAtomic, writeFileAtomic } from './atomic-file.ts';
import { assertValidBody } from './body.ts';
import { StorageError } from './errors.ts';
import { presignFileUrl, verifyPresignedFile } from './file-presign.ts';
import { assertValidKey, assertValidPrefix, compareKeys, RESERVED_SEGMENT_PREFIX } from './keys.ts';
import { resolveListOptions } from './list-options.ts';
import type { ByteRange, ListOptions, ObjectBody, ObjectInfo, ObjectStorage, PresignOptions, PutOptions } from './object-storage.ts';

export interface FilesystemStorageOptions {
  /** Directory that holds the objects (a key "a/b" is the file "{root}/a/b"); created when first needed. */
  root: string;
  /**
   * Secret for presigned URLs (HMAC-SHA256). Every process that presigns or verifies must share it.
   * @defaultValue none: presignGet then throws STORAGE_NO_PRESIGN_SECRET
   */
  presignSecret?: string;
  /**
   * Origin (and optional path) put in front of presigned URLs, e.g. "https://farm.example.com".
   * @defaultValue "" (URLs are root-relative paths: "/v1/files/...")
   */
  presignBaseUrl?: string;
  /**
   * fsync each file before it becomes visible, and its directory after, so a crash never leaves a
   * half-written object. Turning it off is only sensible for throwaway test data.
   * @defaultValue true
   */
  fsync?: boolean;
}

interface ResolvedFilesystemOptions {
  root: string;
  presignSecret: string | null;
  presignBaseUrl: string;
  fsync: boolean;
}

function resolveOptions(options: FilesystemStorageOptions): ResolvedFilesystemOptions {
  if (typeof options.root !== 'string' || options.root.length === 0) {
    throw new StorageError('STORAGE_BAD_OPTION', `Filesystem storage root must be a non-empty path. Received: ${String(options.root)}`);
  }
  if (options.presignSecret !== undefined && options.presignSecret.length < 16) {
    throw new StorageError(
      'STORAGE_BAD_OPTION',
      `presignSecret must be at least 16 characters. Received: ${options.presignSecret.length} characters`,
    );
  }
  return Object.freeze({
    root: resolve(options.root),
    presignSecret: options.presignSecret ?? null,
    presignBaseUrl: options.presignBaseUrl ?? '',
    fsync: options.fsync ?? true,
  });
}

function ioError(operation: string, key: string, error: unknown): StorageError {
  const code = errorCode(error);
  if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
    return new StorageError(
      'STORAGE_KEY_CONFLICT',
      `Cannot ${operation} ${JSON.stringify(key)}: on a filesystem a key cannot also be the prefix of other keys (${code}).`,
      { cause: error },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    // Named without the paths of the system error (the farm's temporary files): the message reaches job records.
    const what = code === 'ENOSPC' ? 'no space is left on its filesystem' : 'its disk quota is used up';
    return new StorageError('STORAGE_FULL', `Cannot ${operation} ${JSON.stringify(key)}: the storage is full (${what}, ${code}).`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StorageError('STORAGE_IO', `Cannot ${operation} ${JSON.stringify(key)}: ${message}`, { cause: error });
}

function notFound(key: string, error?: unknown): StorageError {
  return new StorageError('STORAGE_NOT_FOUND', `No object under key ${JSON.stringify(key)}.`, { cause: error });
}

/** Objects as files under one directory; the embedded default for a single machine. */
export class FilesystemStorage implements ObjectStorage {
  readonly driver = 'filesystem';
  readonly location: string;
  private readonly options: ResolvedFilesystemOptions;

  constructor(options: FilesystemStorageOptions) {
    this.options = resolveOptions(options);
    this.location = this.options.root;
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.options.root, ...key.split('/'));
  }

  async put(key: string, body: ObjectBody, _options?: PutOptions): Promise<void> {
    const path = this.pathOf(key);
    assertValidBody(key, body);
    try {
      await writeFileAtomic(path, body, { mode: 'replace', fsync: this.options.fsync });
    } catch (error) {
      throw ioError('write', key, error);
    }
  }

  async putIfAbsent(key: string, body: ObjectBody, _options?: PutOptions): Promise<boolean> {
    const path = this.pathOf(key);
    assertValidBody(key, body);
    let result;
    try {
      result = await writeFileAtomic(path, body, { mode: 'create', fsync: this.options.fsync });
    } catch (error) {
      throw ioError('write', key, error);
    }
    if (result !== null) return true;
    const existing = await lstat(path).catch(() => null);
    if (existing !== null && !existing.isFile()) {
      throw new StorageError(
        'STORAGE_KEY_CONFLICT',
        `Cannot write ${JSON.stringify(key)}: on a filesystem a key cannot also be the prefix of other keys.`,
      );
    }
    return false;
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw notFound(key, error);
      throw ioError('read', key, error);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(key, error);
      throw ioError('read', key, error);
    }
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw notFound(key);
    }
    return handle.createReadStream(range === undefined ? {} : { start: range.start, end: range.end });
  }

  /**
   * A put never changes an object's file in place (it renames a new file over it), so when `path` is on the same
   * filesystem the download is a hard link: a snapshot of the object, free whatever its size. Elsewhere, a copy.
   */
  async getToFile(key: string, path: string): Promise<number> {
    const source = this.pathOf(key);
    try {
      if ((await lstat(source)).isFile()) {
        const linked = await linkFileAtomic(source, resolve(path));
        if (linked !== null) return linked;
      }
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError('download', key, error);
    }
    const stream = await this.getStream(key);
    try {
      // The copy is the caller's local file (a worker's scratch), not stored data: no fsync.
      const result = await writeFileAtomic(resolve(path), stream, { mode: 'replace', fsync: false });
      return result === null ? 0 : result.size;
    } catch (error) {
      stream.destroy();
      throw ioError('download', key, error);
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      const etag = `"${info.ino.toString(16)}-${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      return { size: info.size, etag, lastModified: info.mtime, contentType: null };
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw ioError('stat', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async delete(key: string): Promise<void> {
    await this.deleteFile(key, this.pathOf(key));
  }

  /** Unlinks one object file and prunes directories left empty; true when a file was removed. */
  private async deleteFile(key: string, path: string): Promise<boolean> {
    try {
      await unlink(path);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM') return false;
      throw ioError('delete', key, error);
    }
    await this.pruneEmptyDirectories(dirname(path));
    return true;
  }

  private async pruneEmptyDirectories(from: string): Promise<void> {
    let dir = from;
    while (dir.length > this.options.root.length && dir.startsWith(this.options.root + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertValidPrefix(prefix, { allowEmpty: false });
    let deleted = 0;
    for (const key of await this.list(prefix)) {
      if (await this.deleteFile(key, this.pathOf(key))) deleted++;
    }
    return deleted;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<string[]> {
    assertValidPrefix(prefix, { allowEmpty: true });
    const { limit, after } = resolveListOptions(options);
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash + 1);
    const keys: string[] = [];
    await this.walk(dirKey, prefix, keys);
    keys.sort(compareKeys);
    const start = after === null ? 0 : keys.findIndex((key) => compareKeys(key, after) > 0);
    if (start < 0) return [];
    return keys.slice(start, limit === null ? undefined : start + limit);
  }

  private async walk(dirKey: string, prefix: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(join(this.options.root, ...dirKey.split('/').filter(Boolean)), { withFileTypes: true });
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw ioError('list', prefix, error);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(RESERVED_SEGMENT_PREFIX)) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const childDir = `${key}/`;
        if (childDir.startsWith(prefix) || prefix.startsWith(childDir)) await this.walk(childDir, prefix, into);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        into.push(key);
      }
    }
  }

  async presignGet(key: string, options: PresignOptions = {}): Promise<string> {
    assertValidKey(key);
    if (this.options.presignSecret === null) {
      throw new StorageError(
        'STORAGE_NO_PRESIGN_SECRET',
        `Cannot presign ${JSON.stringify(key)}: the filesystem driver at ${this.location} has no presignSecret.`,
      );
    }
    return presignFileUrl(this.options.presignSecret, key, {
      baseUrl: this.options.presignBaseUrl,
      ...(options.expiresSeconds === undefined ? {} : { expiresSeconds: options.expiresSeconds }),
    });
  }

  /**
   * Checks the parts of a presigned URL made by this driver (key URL-decoded). False when no secret is
   * configured, the signature does not match, or the URL has expired.
   */
  verifyPresigned(key: string, expires: string | number, sig: string, now?: number): boolean {
    if (this.options.presignSecret === null) return false;
    return verifyPresignedFile(this.options.presignSecret, key, expires, sig, now);
  }

  async check(): Promise<void> {
    try {
      await mkdir(this.options.root, { recursive: true });
      await access(this.options.root, constants.R_OK | constants.W_OK);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StorageError('STORAGE_UNAVAILABLE', `Filesystem storage root ${this.location} is not usable: ${message}`, {
        cause: error,
      });
    }
  }

  async close(): Promise<void> {}
}
