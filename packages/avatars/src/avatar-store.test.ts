import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemStorage, S3Storage } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { startS3rver } from '@portrait-farm/test-support/s3rver';
import type { S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAvatarId, isAvatarId } from './avatar-id.ts';
import { avatarKeys } from './avatar-keys.ts';
import type { AvatarRecord } from './avatar-record.ts';
import { AvatarStore } from './avatar-store.ts';
import { isAvatarsError } from './errors.ts';

let dir: string;
let imagePath: string;
let s3: S3rverProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pf-avatars-'));
  imagePath = join(dir, 'image.png');
  await writeFile(imagePath, Buffer.from('not really a png, the store does not look'));
  s3 = await startS3rver(['avatars-bucket']);
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

function record(tenantId: string, now: number): AvatarRecord {
  const id = createAvatarId(now);
  return {
    id,
    tenantId,
    createdAt: new Date(now).toISOString(),
    image: { key: avatarKeys.image(tenantId, id, 'png'), size: 42, sha256: '0'.repeat(64), contentType: 'image/png', width: 64, height: 48, format: 'png' },
    face: { faceIndex: 0, faceBox: null, box: { x: 1, y: 2, width: 30, height: 40 } },
    consent: { attestation: true, statement: null, at: new Date(now).toISOString() },
  };
}

const drivers: Array<[string, () => Promise<ObjectStorage>]> = [
  ['filesystem', async () => new FilesystemStorage({ root: await mkdtemp(join(dir, 'fs-')) })],
  ['s3 (s3rver)', async () => new S3Storage({ bucket: 'avatars-bucket', prefix: `run-${randomUUID()}`, endpoint: s3.endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } })],
];

describe.each(drivers)('AvatarStore on %s storage', (_name, open) => {
  it('stores, reads, lists in pages (oldest first) and deletes every object of an avatar', async () => {
    const storage = await open();
    const store = new AvatarStore(storage);
    const made = [record('acme', 1_000), record('acme', 2_000), record('acme', 3_000)];
    for (const avatar of made) await store.create(avatar, imagePath);
    await storage.put(avatarKeys.prepared('acme', made[1]!.id, { name: 'pack', version: '1' }, 'crop'), Buffer.from('prepared'));

    expect(await store.get('acme', made[1]!.id)).toEqual(made[1]);
    const first = await store.list('acme', { limit: 2, cursor: null });
    expect(first.avatars.map((a) => a.id)).toEqual([made[0]!.id, made[1]!.id]);
    expect(first.nextCursor).toBe(made[1]!.id);
    const second = await store.list('acme', { limit: 2, cursor: first.nextCursor });
    expect(second).toEqual({ avatars: [made[2]], nextCursor: null });

    await store.delete('acme', made[1]!.id);
    expect(await storage.list(avatarKeys.root('acme', made[1]!.id))).toEqual([]);
    await expect(store.get('acme', made[1]!.id)).rejects.toSatisfy((error) => isAvatarsError(error, 'AVATARS_NOT_FOUND'));
    expect((await store.list('acme', { limit: 10, cursor: null })).avatars.map((a) => a.id)).toEqual([made[0]!.id, made[2]!.id]);
    await storage.close();
  });

  it('keeps tenants apart: another tenant\'s id is not found, nor deleted, nor listed', async () => {
    const storage = await open();
    const store = new AvatarStore(storage);
    const theirs = record('other', 5_000);
    await store.create(theirs, imagePath);
    await expect(store.get('acme', theirs.id)).rejects.toSatisfy((error) => isAvatarsError(error, 'AVATARS_NOT_FOUND'));
    await expect(store.delete('acme', theirs.id)).rejects.toSatisfy((error) => isAvatarsError(error, 'AVATARS_NOT_FOUND'));
    expect((await store.list('acme', { limit: 10, cursor: null })).avatars).toEqual([]);
    expect(await store.get('other', theirs.id)).toEqual(theirs);
    await storage.close();
  });
});

describe('avatar keys', () => {
  it('keep tenants "." and ".." inside the avatars\' prefix, apart from each other', () => {
    expect(avatarKeys.tenantPrefix('.')).toBe('avatars/%2E/');
    expect(avatarKeys.root('..', 'av_x')).toBe('avatars/%2E%2E/av_x/');
    expect(avatarKeys.tenantPrefix('acme.eu')).toBe('avatars/acme.eu/');
  });
});

describe('avatar ids', () => {
  it('have one shape and sort by creation time', () => {
    const [a, b] = [createAvatarId(1_000), createAvatarId(2_000)];
    expect(isAvatarId(a) && isAvatarId(b)).toBe(true);
    expect(a < b).toBe(true);
    expect(isAvatarId('av_../../jobs')).toBe(false);
  });
});
