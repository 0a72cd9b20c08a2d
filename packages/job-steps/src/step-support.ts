import { mkdtemp, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isTerminal, jobStorageKeys } from '@portrait-farm/jobs';
import type { JobRecord } from '@portrait-farm/jobs';
import { JobStepError } from './errors.ts';
import type { FarmDeps } from './farm-deps.ts';

/** What a step did: ran, or skipped because the job had ended or was canceled. */
export type StepOutcome = 'done' | 'skipped' | 'canceled';

/** The job's record, or null when it is gone, ended or canceled (a step then does nothing). */
export async function liveRecord(deps: FarmDeps, jobId: string): Promise<JobRecord | null> {
  const record = await deps.jobs.getById(jobId);
  if (record === null || isTerminal(record.status) || record.cancelRequested) return null;
  return record;
}

/** Runs `body` with a fresh temporary folder, removed afterwards whatever happens. */
export async function withTempDir<T>(deps: FarmDeps, label: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(deps.tempDir, `pf-${label}-`));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Downloads an object to `dir/name{ext of key}`; throws FARM_MISSING_INPUT when it is not there. */
export async function download(deps: FarmDeps, key: string, dir: string, name: string): Promise<string> {
  if (!(await deps.storage.exists(key))) throw new JobStepError('FARM_MISSING_INPUT', `${key} is not in storage.`);
  const path = join(dir, `${name}${extname(key)}`);
  await deps.storage.getToFile(key, path);
  return path;
}

/** Removes a job's chunks and work files (after failure or cancel; after success the chunks stay a while, see processStitch). */
export async function deleteIntermediates(deps: FarmDeps, jobId: string): Promise<void> {
  await deps.storage.deletePrefix(jobStorageKeys.chunkPrefix(jobId));
  await deleteWorkFiles(deps, jobId);
}

/** Removes a job's work files (prepared clip, relays, sound track), which only the steps read. */
export async function deleteWorkFiles(deps: FarmDeps, jobId: string): Promise<void> {
  await deps.storage.deletePrefix(jobStorageKeys.workPrefix(jobId));
}

/** Seconds since `start` (performance.now milliseconds). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1000;
}

/** Whole milliseconds since `start` (performance.now milliseconds), for the logs' `durationMs`. */
export function msSince(start: number): number {
  return Math.round(performance.now() - start);
}

/** The fields every log entry about a job carries: its id and its tenant. */
export function jobFields(record: Pick<JobRecord, 'id' | 'tenantId'>): { jobId: string; tenant: string } {
  return { jobId: record.id, tenant: record.tenantId };
}

const holders = new WeakMap<object, Map<string, number>>();

/**
 * The job's cancel signal, counted per process: the watcher stops watching the job only when the last step of it
 * running here lets go (two steps of one job may run at once in one process).
 */
export async function holdCancelSignal(deps: FarmDeps, jobId: string): Promise<{ signal: AbortSignal; release: () => void }> {
  let counts = holders.get(deps.cancels);
  if (counts === undefined) {
    counts = new Map();
    holders.set(deps.cancels, counts);
  }
  const held = counts;
  held.set(jobId, (held.get(jobId) ?? 0) + 1);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    const left = (held.get(jobId) ?? 1) - 1;
    if (left > 0) held.set(jobId, left);
    else {
      held.delete(jobId);
      deps.cancels.release(jobId);
    }
  };
  try {
    return { signal: await deps.cancels.signalFor(jobId), release };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Runs a step's work holding the job's cancel signal. An error thrown once the job is canceled (the abort made the
 * work fail) ends the step as 'canceled', after `onCanceled` cleans up; any other error is thrown on. (Prepare and
 * segment spell this out: they also wait for a write or hand back a lease whatever happens.)
 */
export async function withCancelSignal(
  deps: FarmDeps,
  jobId: string,
  work: (signal: AbortSignal) => Promise<StepOutcome>,
  onCanceled: () => Promise<void> = async () => {},
): Promise<StepOutcome> {
  const { signal, release } = await holdCancelSignal(deps, jobId);
  try {
    return await work(signal);
  } catch (error) {
    if (!signal.aborted) throw error;
    await onCanceled().catch(() => {});
    return 'canceled';
  } finally {
    release();
  }
}
