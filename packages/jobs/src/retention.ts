import type { JobStore } from './job-store.ts';
import { jobStorageKeys } from './storage-keys.ts';

/** Options of {@link sweepFinishedJobs}. */
export interface RetentionSweepOptions {
  jobs: JobStore;
  /** Where the jobs' objects are: everything under `jobs/{id}/` goes. */
  storage: { deletePrefix(prefix: string): Promise<number> };
  /** Jobs that finished this long ago or more are removed, in milliseconds. */
  olderThanMs: number;
  /** @defaultValue Date.now() */
  now?: number;
  /** Jobs read per round. @defaultValue 100 */
  batch?: number;
}

/**
 * Removes every job that finished (succeeded, failed, canceled) at least `olderThanMs` ago: its objects in storage
 * first (inputs, chunks, work files, output), then its record, so a sweep cut short is finished by the next one.
 * Safe to run from several processes at once. Returns the ids removed.
 */
export async function sweepFinishedJobs(options: RetentionSweepOptions): Promise<string[]> {
  const before = (options.now ?? Date.now()) - options.olderThanMs;
  const batch = options.batch ?? 100;
  const removed: string[] = [];
  for (;;) {
    const ids = await options.jobs.finishedBefore(before, batch);
    for (const id of ids) {
      const record = await options.jobs.getById(id);
      await options.storage.deletePrefix(jobStorageKeys.root(id));
      if (record === null) await options.jobs.forgetFinished(id);
      else await options.jobs.deleteRecord(record);
      removed.push(id);
    }
    if (ids.length < batch) return removed;
  }
}
