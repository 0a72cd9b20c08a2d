import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avatarKeys, AvatarStore, createAvatarId, isAvatarsError } from '@portrait-farm/avatars';
import type { AvatarRecord } from '@portrait-farm/avatars';
import { createEngine, preparePortrait } from '@portrait-farm/engine';
import type { Engine, PreparedPortrait } from '@portrait-farm/engine';
import { FilesystemStorage } from '@portrait-farm/storage';
import { TEST_PORTRAIT } from '@portrait-farm/test-support/bad-input';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avatarPortrait, loadAvatarPortrait } from './avatar-portrait.ts';

const work = mkdtempSync(join(tmpdir(), 'pf-avatar-portrait-'));
let engine: Engine;
let storage: FilesystemStorage;

beforeAll(async () => {
  writeEngineTestPack(join(work, 'pack'));
  engine = await createEngine({ pack: join(work, 'pack'), providers: ['cpu'] });
  storage = new FilesystemStorage({ root: join(work, 'storage') });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

async function storedAvatar(): Promise<AvatarRecord> {
  const id = createAvatarId();
  const record: AvatarRecord = {
    id,
    tenantId: 'acme',
    createdAt: new Date().toISOString(),
    image: { key: avatarKeys.image('acme', id, 'png'), size: 0, sha256: '0'.repeat(64), contentType: 'image/png', width: 512, height: 512, format: 'png' },
    face: { faceIndex: null, faceBox: null, box: null },
    consent: { attestation: true, statement: null, at: new Date().toISOString() },
  };
  await new AvatarStore(storage).create(record, TEST_PORTRAIT);
  return record;
}

const bytes = (view: ArrayBufferView): Buffer => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
function expectSame(a: PreparedPortrait, b: PreparedPortrait): void {
  expect(bytes(a.source.image.data).equals(bytes(b.source.image.data))).toBe(true);
  expect([a.source.image.width, a.source.image.height]).toEqual([b.source.image.width, b.source.image.height]);
  expect(bytes(a.source.landmarks).equals(bytes(b.source.landmarks))).toBe(true);
  expect(bytes(a.neutral).equals(bytes(b.neutral))).toBe(true);
}

describe('loadAvatarPortrait', () => {
  it('gives what preparePortrait makes of the avatar\'s image, prepared once per mode and read back afterwards', async () => {
    const avatar = await storedAvatar();
    const ref = { tenantId: 'acme', avatarId: avatar.id };
    for (const mode of ['crop', 'full'] as const) {
      const expected = await preparePortrait(engine, TEST_PORTRAIT, { faceIndex: 0, faceBox: null, mode, log: () => {} });
      const first = await loadAvatarPortrait({ storage, engine }, ref, mode);
      expectSame(first, expected);
      expect(await storage.exists(avatarKeys.prepared('acme', avatar.id, engine.pack, mode))).toBe(true);
    }
    // Read back without the portrait: the prepared object is all a later load needs.
    await storage.delete(avatar.image.key);
    expectSame(await loadAvatarPortrait({ storage, engine }, ref, 'crop'), await preparePortrait(engine, TEST_PORTRAIT, { faceIndex: 0, faceBox: null, mode: 'crop', log: () => {} }));
  }, 60_000);

  it('makes the portrait again over a prepared file it cannot read (an older work format, a damaged object)', async () => {
    const avatar = await storedAvatar();
    const key = avatarKeys.prepared('acme', avatar.id, engine.pack, 'crop');
    await storage.put(key, Buffer.from('PFW1 of another time'));
    const expected = await preparePortrait(engine, TEST_PORTRAIT, { faceIndex: 0, faceBox: null, mode: 'crop', log: () => {} });
    expectSame(await loadAvatarPortrait({ storage, engine }, { tenantId: 'acme', avatarId: avatar.id }, 'crop'), expected);
    expect((await storage.get(key)).subarray(0, 4).toString('latin1')).toBe('PFW1');
    expect((await storage.head(key))!.size).toBeGreaterThan(512 * 512 * 3);
  }, 60_000);

  it('refuses an unknown avatar, and stores nothing for an avatar deleted before its portrait was prepared', async () => {
    await expect(loadAvatarPortrait({ storage, engine }, { tenantId: 'acme', avatarId: createAvatarId() }, 'crop')).rejects.toSatisfy((error) => isAvatarsError(error, 'AVATARS_NOT_FOUND'));
    const avatar = await storedAvatar();
    await new AvatarStore(storage).delete('acme', avatar.id);
    const portrait = await avatarPortrait({ storage, engine }, { tenantId: 'acme', avatarId: avatar.id }, 'crop', () =>
      preparePortrait(engine, TEST_PORTRAIT, { faceIndex: 0, faceBox: null, mode: 'crop', log: () => {} }),
    );
    expect(portrait.source.image.width).toBe(512);
    expect(await storage.list(avatarKeys.root('acme', avatar.id))).toEqual([]);
  }, 60_000);
});
