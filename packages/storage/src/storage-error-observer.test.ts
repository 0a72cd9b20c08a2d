import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStorageError } from './errors.ts';
import { FilesystemStorage } from './filesystem-storage.ts';
import { observeStorageErrors } from './storage-error-observer.ts';
import type { StorageOperation } from './storage-error-observer.ts';

const root = mkdtempSync(join(tmpdir(), 'pf-observed-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('observeStorageErrors', () => {
  it('passes results through and reports each failed call with its operation and code, rethrowing the error', async () => {
    const seen: Array<[StorageOperation, string]> = [];
    const storage = observeStorageErrors(new FilesystemStorage({ root }), (operation, code) => seen.push([operation, code]));
    await storage.put('a/b.txt', Buffer.from('hi'));
    expect((await storage.get('a/b.txt')).toString()).toBe('hi');
    expect(await storage.exists('a/missing.txt')).toBe(false);
    expect(seen).toEqual([]);
    const missing = await storage.get('a/missing.txt').catch((error: unknown) => error);
    expect(isStorageError(missing, 'STORAGE_NOT_FOUND')).toBe(true);
    await expect(storage.put('../escape', Buffer.from('x'))).rejects.toThrow();
    expect(seen).toEqual([
      ['get', 'STORAGE_NOT_FOUND'],
      ['put', 'STORAGE_BAD_KEY'],
    ]);
    expect(storage.driver).toBe('filesystem');
  });
});
