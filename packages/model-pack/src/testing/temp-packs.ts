import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestPack, type TestPackOptions } from '@portrait-farm/test-support/test-pack';
import { afterAll, expect } from 'vitest';
import { PACK_ERRORS, PackError } from '../errors.ts';
import { loadModelPack } from '../load-model-pack.ts';

/** Writes test packs into temporary folders, removed after the file's tests. */
export function tempPacks(prefix: string): (options?: TestPackOptions) => { dir: string; manifestPath: string } {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return (options = {}) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return writeTestPack(dir, options);
  };
}

/** The PackError loading `path` fails with (the test fails when it loads, or fails otherwise). */
export async function loadFailure(path: string, options = {}): Promise<PackError> {
  const error = await loadModelPack(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackError);
  const packError = error as PackError;
  expect(Object.keys(PACK_ERRORS)).toContain(packError.code);
  return packError;
}
