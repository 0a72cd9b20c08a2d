import type { ObjectStorage } from '@portrait-farm/storage';

/** How long a step that found its storage unreachable waits for it to answer again, by default. */
export const STORAGE_WAIT_MS = 60_000;

/** True when `error` says the backing store cannot be reached (STORAGE_UNAVAILABLE), not that a request failed. */
export function isStorageUnavailable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'STORAGE_UNAVAILABLE';
}

/**
 * Waits until the store answers its readiness probe (`check()`), probing every `everyMs`, for at most `maxMs`;
 * true once it answers. A step that failed because the store was down waits here before its attempt ends, so that an
 * outage of up to `maxMs` costs one attempt and the retry finds the store back, instead of every attempt failing
 * within the first seconds of the outage.
 */
export async function waitForStorage(storage: ObjectStorage, maxMs: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    try {
      await storage.check();
      return true;
    } catch {
      if (Date.now() + everyMs > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}
