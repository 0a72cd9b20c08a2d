import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from './create-storage.ts';
import { isStorageError } from './errors.ts';
import { PRESIGNED_FILES_PATH, presignFileUrl, verifyPresignedFile } from './file-presign.ts';
import { FilesystemStorage } from './filesystem-storage.ts';
import { describeStorageContract } from './testing/storage-contract.ts';

const SECRET = 'test-presign-secret-0123456789';

/** A minimal stand-in for the gateway route that serves presigned filesystem URLs. */
function presignedFileHandler(storage: FilesystemStorage): RequestListener {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(PRESIGNED_FILES_PATH)) {
      response.writeHead(404).end();
      return;
    }
    const key = url.pathname.slice(PRESIGNED_FILES_PATH.length).split('/').map(decodeURIComponent).join('/');
    if (!storage.verifyPresigned(key, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '')) {
      response.writeHead(403).end();
      return;
    }
    storage.getStream(key).then(
      (stream) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        void pipeline(stream, response).catch(() => undefined);
      },
      (error: unknown) => response.writeHead(isStorageError(error, 'STORAGE_NOT_FOUND') ? 404 : 500).end(),
    );
  };
}

async function tempRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pf-fs-storage-'));
}

describeStorageContract('filesystem', { checksPresignedSignatures: true }, async () => {
  const root = await tempRoot();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const storage = new FilesystemStorage({ root, presignSecret: SECRET, presignBaseUrl: `http://127.0.0.1:${port}` });
  server.on('request', presignedFileHandler(storage));
  return {
    storage,
    dispose: async () => {
      await new Promise((resolve) => server.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('FilesystemStorage', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempRoot();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('never exposes a half-written object when the body stream fails midway', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'crash') });
    await storage.put('jobs/1/chunk.mp4', Buffer.from('old complete object'));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(storage.put('jobs/1/chunk.mp4', failing)).rejects.toMatchObject({ code: 'STORAGE_IO' });
    await expect(storage.put('jobs/1/new.mp4', Readable.from(failingChunks()))).rejects.toThrow();
    expect((await storage.get('jobs/1/chunk.mp4')).toString()).toBe('old complete object');
    expect(await storage.exists('jobs/1/new.mp4')).toBe(false);
    expect(await readdir(join(root, 'crash', 'jobs', '1'))).toEqual(['chunk.mp4']);
  });

  it('names a full disk STORAGE_FULL, without the paths of the system error', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'full') });
    const full = new Readable({
      read() {
        this.destroy(Object.assign(new Error("ENOSPC: no space left on device, write '/tmp/x/.pf-tmp-1'"), { code: 'ENOSPC' }));
      },
    });
    const error: unknown = await storage.put('jobs/1/chunk.ts', full).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORAGE_FULL', retryable: true });
    expect((error as Error).message).toBe('Cannot write "jobs/1/chunk.ts": the storage is full (no space is left on its filesystem, ENOSPC).');
  });

  it('lets exactly one of many concurrent putIfAbsent calls win', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'race') });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => storage.putIfAbsent('chunks/0007.mp4', Buffer.from(`writer ${i}`))),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await storage.get('chunks/0007.mp4')).toString()).toBe(`writer ${winner}`);
    expect(await readdir(join(root, 'race', 'chunks'))).toEqual(['0007.mp4']);
  });

  it('refuses a key that is also a directory of other keys, naming the key', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'conflict') });
    await storage.put('a/b', Buffer.from('x'));
    const asDir = await storage.put('a', Buffer.from('y')).catch((e: unknown) => e);
    expect(asDir).toMatchObject({ code: 'STORAGE_KEY_CONFLICT', message: expect.stringContaining('"a"') });
    const underFile = await storage.put('a/b/c', Buffer.from('z')).catch((e: unknown) => e);
    expect(underFile).toMatchObject({ code: 'STORAGE_KEY_CONFLICT', message: expect.stringContaining('"a/b/c"') });
    await expect(storage.putIfAbsent('a', Buffer.from('y'))).rejects.toMatchObject({ code: 'STORAGE_KEY_CONFLICT' });
    expect(await storage.head('a')).toBeNull();
  });

  it('prunes directories that deletes leave empty', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'prune') });
    await storage.put('jobs/9/chunks/0.mp4', Buffer.from('0'));
    await storage.put('jobs/9/chunks/1.mp4', Buffer.from('1'));
    await storage.put('jobs/8/input.wav', Buffer.from('w'));
    expect(await storage.deletePrefix('jobs/9')).toBe(2);
    expect(await readdir(join(root, 'prune', 'jobs'))).toEqual(['8']);
  });

  it('downloads as a snapshot: a later put or delete of the object leaves the local file as it was', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'snapshot') });
    await storage.put('jobs/1/input/audio.wav', Buffer.from('first version'));
    const local = join(root, 'scratch', 'audio.wav');
    expect(await storage.getToFile('jobs/1/input/audio.wav', local)).toBe('first version'.length);
    await storage.put('jobs/1/input/audio.wav', Buffer.from('second'));
    expect(await readFile(local, 'utf8')).toBe('first version');
    expect(await storage.getToFile('jobs/1/input/audio.wav', local)).toBe('second'.length);
    expect(await readFile(local, 'utf8')).toBe('second');
    await storage.delete('jobs/1/input/audio.wav');
    expect(await readFile(local, 'utf8')).toBe('second');
    expect((await stat(local)).nlink).toBe(1);
    expect(await readdir(join(root, 'scratch'))).toEqual(['audio.wav']);
  });

  it.skipIf(!existsSync('/dev/shm') || statSync('/dev/shm').dev === statSync(tmpdir()).dev)('copies a download to another filesystem', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'other-fs') });
    await storage.put('k.bin', Buffer.from('bytes across filesystems'));
    const dir = await mkdtemp(join('/dev/shm', 'pf-storage-test-'));
    try {
      expect(await storage.getToFile('k.bin', join(dir, 'k.bin'))).toBe(24);
      expect(await readFile(join(dir, 'k.bin'), 'utf8')).toBe('bytes across filesystems');
      expect((await stat(join(dir, 'k.bin'))).nlink).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks presigned URLs: signature, expiry and key', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const url = new URL(presignFileUrl(SECRET, 'jobs/1/out.mp4', { expiresSeconds: 60, now }), 'http://x');
    expect(url.pathname).toBe('/v1/files/jobs/1/out.mp4');
    const expires = url.searchParams.get('expires') ?? '';
    const sig = url.searchParams.get('sig') ?? '';
    expect(Number(expires)).toBe(now / 1000 + 60);
    expect(verifyPresignedFile(SECRET, 'jobs/1/out.mp4', expires, sig, now)).toBe(true);
    expect(verifyPresignedFile(SECRET, 'jobs/1/out.mp4', expires, sig, now + 61_000)).toBe(false);
    expect(verifyPresignedFile(SECRET, 'jobs/2/out.mp4', expires, sig, now)).toBe(false);
    expect(verifyPresignedFile(SECRET, 'jobs/1/out.mp4', String(Number(expires) + 1), sig, now)).toBe(false);
    expect(verifyPresignedFile(`${SECRET}x`, 'jobs/1/out.mp4', expires, sig, now)).toBe(false);
    expect(verifyPresignedFile(SECRET, 'jobs/1/out.mp4', '1e12', sig, now)).toBe(false);
    expect(verifyPresignedFile(SECRET, '../etc/passwd', expires, sig, now)).toBe(false);
  });

  it('refuses to presign without a secret', async () => {
    const storage = new FilesystemStorage({ root: join(root, 'nosecret') });
    await expect(storage.presignGet('a')).rejects.toMatchObject({ code: 'STORAGE_NO_PRESIGN_SECRET' });
    expect(storage.verifyPresigned('a', '9999999999', 'x')).toBe(false);
  });

  it('reports an unusable root as STORAGE_UNAVAILABLE', async () => {
    const file = join(root, 'plain-file');
    await writeFile(file, 'not a directory');
    const storage = new FilesystemStorage({ root: join(file, 'sub') });
    await expect(storage.check()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
  });

  it('opens from file URLs and plain paths', async () => {
    const fromUrl = createStorage(`file://${join(root, 'url')}`, { fsync: false });
    const fromPath = createStorage(join(root, 'url'));
    expect(fromUrl.driver).toBe('filesystem');
    await fromUrl.put('k', Buffer.from('v'));
    expect((await fromPath.get('k')).toString()).toBe('v');
    expect(createStorage('relative/data').location).toBe(join(process.cwd(), 'relative', 'data'));
  });
});

async function* failingChunks(): AsyncGenerator<Buffer> {
  yield Buffer.alloc(1000, 2);
  throw new Error('upstream failed');
}
