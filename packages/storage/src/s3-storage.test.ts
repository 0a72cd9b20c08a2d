import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from './create-storage.ts';
import { StorageError } from './errors.ts';
import { S3Storage } from './s3-storage.ts';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { describeStorageContract } from './testing/storage-contract.ts';

// s3rver accepts any well-formed signature made with these credentials.
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKETS = ['contract-bucket', 'driver-bucket'] as const;

let server: S3rverProcess;
beforeAll(async () => {
  server = await startS3rver(BUCKETS);
});
afterAll(async () => {
  await server?.stop();
});

// s3rver does not check SigV4 signatures (it accepts any), so tampered presigned URLs still work there.
describeStorageContract('s3 (s3rver)', { checksPresignedSignatures: false }, async () => ({
  storage: new S3Storage({ bucket: 'contract-bucket', prefix: `run-${randomUUID()}`, endpoint: server.endpoint, credentials }),
  dispose: async () => {},
}));

describe('S3Storage against s3rver', () => {
  const open = (prefix: string, extra: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) =>
    new S3Storage({ bucket: 'driver-bucket', prefix, endpoint: server.endpoint, credentials, ...extra });

  it('keeps storages with different prefixes in one bucket apart', async () => {
    const a = open(`iso-${randomUUID()}/a`);
    const b = open(`iso-${randomUUID()}/b`);
    await a.put('jobs/1/out.mp4', Buffer.from('a'));
    await b.put('jobs/1/out.mp4', Buffer.from('b'));
    expect((await a.get('jobs/1/out.mp4')).toString()).toBe('a');
    expect(await b.list('jobs/')).toEqual(['jobs/1/out.mp4']);
    expect(await a.deletePrefix('jobs/')).toBe(1);
    expect((await b.get('jobs/1/out.mp4')).toString()).toBe('b');
    await a.close();
    await b.close();
  });

  it('pages listings and prefix deletes past the page size (ListObjectsV2 continuation tokens)', async () => {
    const storage = open(`many-${randomUUID()}`, { listPageSize: 10 });
    const keys = Array.from({ length: 45 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    await Promise.all(keys.map((key) => storage.put(key, Buffer.from(key))));
    const listed = await storage.list('k/');
    expect(listed).toEqual(keys);
    expect(await storage.list('k/', { limit: 21 })).toEqual(keys.slice(0, 21));
    expect(await storage.list('k/', { limit: 12, after: keys[20] })).toEqual(keys.slice(21, 33));
    expect(await storage.deletePrefix('k/')).toBe(45);
    expect(await storage.list('k/')).toEqual([]);
    await storage.close();
  });

  it('detects that s3rver ignores If-None-Match and falls back to the emulated create-only write', async () => {
    const storage = open(`cond-${randomUUID()}`, { conditionalWrites: 'auto' });
    expect(await storage.putIfAbsent('x', Buffer.from('1'))).toBe(true);
    expect(await storage.putIfAbsent('x', Buffer.from('2'))).toBe(false);
    expect((await storage.get('x')).toString()).toBe('1');
    expect(await storage.list('')).toEqual(['x']);
    await storage.close();
  });

  it('stores the content type', async () => {
    const storage = open(`ct-${randomUUID()}`);
    await storage.put('v.mp4', Buffer.from('not really'), { contentType: 'video/mp4' });
    expect((await storage.head('v.mp4'))?.contentType).toBe('video/mp4');
    await storage.close();
  });

  it('opens from an s3:// URL with credentials in the userinfo', async () => {
    const prefix = `url-${randomUUID()}`;
    const storage = createStorage(
      `s3://S3RVER:S3RVER@driver-bucket/${prefix}?endpoint=${encodeURIComponent(server.endpoint)}&region=us-east-1&forcePathStyle=true`,
      { env: {} },
    );
    expect(storage.driver).toBe('s3');
    expect(storage.location).not.toContain('S3RVER:S3RVER');
    await storage.check();
    await storage.put('hello.txt', Buffer.from('from url'));
    const direct = open(prefix);
    expect((await direct.get('hello.txt')).toString()).toBe('from url');
    await storage.close();
    await direct.close();
  });

  it('reports a missing bucket and a dead endpoint as STORAGE_UNAVAILABLE', async () => {
    const missing = new S3Storage({ bucket: 'no-such-bucket', endpoint: server.endpoint, credentials, maxAttempts: 1 });
    await expect(missing.check()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE', message: expect.stringContaining('no-such-bucket') });
    await missing.close();

    const dead = new S3Storage({ bucket: 'driver-bucket', endpoint: 'http://127.0.0.1:9', credentials, maxAttempts: 1 });
    await expect(dead.check()).rejects.toBeInstanceOf(StorageError);
    const error = await dead.put('k', Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    await dead.close();
  });
});
