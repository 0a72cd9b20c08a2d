import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, StorageError } from '@portrait-farm/storage';
import { isStorageUnavailable, waitForStorage } from './storage-wait.ts';

const work = mkdtempSync(join(tmpdir(), 'pf-storage-wait-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('waitForStorage', () => {
  it('answers true once the store answers its probe, false when it never does within the wait', async () => {
    // A root under a plain file cannot be created: the store is unusable until the file goes.
    const blocker = join(work, 'blocker');
    writeFileSync(blocker, 'not a folder');
    const storage = createStorage(join(blocker, 'storage'));
    expect(await waitForStorage(storage, 300, 50)).toBe(false);
    setTimeout(() => rmSync(blocker), 200);
    const started = Date.now();
    expect(await waitForStorage(storage, 5000, 50)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('recognises the store being unreachable, and only that', () => {
    expect(isStorageUnavailable(new StorageError('STORAGE_UNAVAILABLE', 'down'))).toBe(true);
    expect(isStorageUnavailable(new StorageError('STORAGE_FULL', 'full'))).toBe(false);
    expect(isStorageUnavailable(new Error('other'))).toBe(false);
  });
});
