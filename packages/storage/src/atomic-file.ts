import { randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { isPathBody } from './body.ts';
import { RESERVED_SEGMENT_PREFIX } from './keys.ts';
import type { ObjectBody } from './object-storage.ts';

export interface AtomicWriteOptions {
  /** "replace" renames over any existing file; "create" links into place and fails with EEXIST if one exists. */
  mode: 'replace' | 'create';
  /** fsync the file before it becomes visible and its directory after. */
  fsync: boolean;
}

/** Result of an atomic write: bytes written, or null in "create" mode when the target already existed. */
export type AtomicWriteResult = { size: number } | null;

/** The `code` of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A fresh temporary name for `target` in `dir`, with the reserved prefix that listings skip. */
function tempPathFor(dir: string, target: string): string {
  return join(dir, `${RESERVED_SEGMENT_PREFIX}${randomUUID()}-${basename(target).slice(0, 40)}`);
}

async function openTemp(dir: string, target: string): Promise<{ tmp: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dir, { recursive: true });
    const tmp = tempPathFor(dir, target);
    try {
      return { tmp, handle: await open(tmp, 'wx', 0o644) };
    } catch (error) {
      // A concurrent delete may prune the freshly created directory before the file lands in it.
      if (errorCode(error) === 'ENOENT' && attempt < 5) continue;
      throw error;
    }
  }
}

async function writeBody(handle: FileHandle, tmp: string, body: ObjectBody | Readable): Promise<number> {
  if (isPathBody(body)) {
    await copyFile(body.path, tmp);
    return (await handle.stat()).size;
  }
  if (!(body instanceof Readable)) {
    await handle.writeFile(body);
    return body.byteLength;
  }
  let size = 0;
  for await (const chunk of body) {
    const bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
      offset += bytesWritten;
    }
    size += bytes.byteLength;
  }
  return size;
}

/**
 * Writes `body` to `target` so that readers see either nothing (or the old file) or the whole new file:
 * the bytes go to a temporary file in the same directory, are fsynced, then renamed (or hard-linked, for
 * create-only) into place. The temporary name starts with the reserved prefix so listings skip it.
 * Missing parent directories are created; if a concurrent delete removes them meanwhile, the write retries.
 */
export async function writeFileAtomic(
  target: string,
  body: ObjectBody | Readable,
  options: AtomicWriteOptions,
): Promise<AtomicWriteResult> {
  const dir = dirname(target);
  const { tmp, handle } = await openTemp(dir, target);
  let renamed = false;
  let size: number;
  try {
    try {
      size = await writeBody(handle, tmp, body);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.mode === 'replace') {
      await rename(tmp, target);
      renamed = true;
    } else {
      try {
        await link(tmp, target);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') return null;
        throw error;
      }
    }
  } finally {
    if (!renamed) await unlink(tmp).catch(() => undefined);
  }
  if (options.fsync) await syncDirectory(dir);
  return { size };
}

/** Errors of link(2) that mean "cannot link here" (another filesystem, links not allowed), not a missing source. */
const NO_LINK_CODES = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES']);

/**
 * Hard-links `source` to `target`, replacing any file there atomically (a link under a temporary name, then a
 * rename). Returns the file's size, or null when the filesystem cannot link them (the caller copies instead).
 * Throws ENOENT when `source` does not exist.
 */
export async function linkFileAtomic(source: string, target: string): Promise<number | null> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(dir, target);
  try {
    await link(source, tmp);
  } catch (error) {
    if (NO_LINK_CODES.has(errorCode(error) ?? '')) return null;
    throw error;
  }
  try {
    const info = await stat(tmp);
    await rename(tmp, target);
    return info.size;
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}
