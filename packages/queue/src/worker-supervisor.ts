import type { Job, Worker } from 'bullmq';

/** How often a supervised Worker is checked, in milliseconds. */
export const WORKER_CHECK_MS = 5_000;

/**
 * How long a Worker may take no job, with none of its own running, while its queue holds jobs ready to run, before
 * it is replaced, in milliseconds. A healthy idle Worker takes a ready job within a second; after a connection error
 * BullMQ itself waits up to 15 s (`runRetryDelay`) before it fetches again.
 */
export const WORKER_STUCK_MS = 30_000;

/** What a supervised Worker runs for each job (BullMQ's processor, its token and abort signal passed through). */
export type JobProcessor<T, R> = (job: Job<T, R>, token?: string, signal?: AbortSignal) => Promise<R>;

/** What {@link superviseWorker} tells of a replacement. */
export interface WorkerReplacement {
  /** Since when (ms) the queue held ready jobs that this process's Worker did not take. */
  stuckMs: number;
  /** The ready jobs counted at the last check. */
  readyJobs: number;
  /** Replacements so far, this one included. */
  replacements: number;
}

/** Options of {@link superviseWorker}. */
export interface WorkerSupervisorOptions<T, R> {
  /** What each job runs. */
  processor: JobProcessor<T, R>;
  /** Makes a Worker running `processor`, with its event listeners; called again for every replacement. */
  start: (processor: JobProcessor<T, R>) => Worker<T, R>;
  /** The queue's jobs a Worker could take now (waiting, prioritised, delayed and due); 0 while the queue is paused. */
  readyJobs: () => Promise<number>;
  /** Told of each replacement. @defaultValue nothing */
  onReplaced?: (replacement: WorkerReplacement) => void;
  /** Told when a check could not read the queue (Redis unreachable); the next check tries again. @defaultValue nothing */
  onCheckFailed?: (error: unknown) => void;
  /** @defaultValue WORKER_CHECK_MS */
  checkEveryMs?: number;
  /** @defaultValue WORKER_STUCK_MS */
  stuckAfterMs?: number;
}

/** A Worker that is replaced when it stops taking jobs; {@link SupervisedWorker.worker} is the current one. */
export interface SupervisedWorker<T = unknown, R = unknown> {
  readonly worker: Worker<T, R>;
  readonly replacements: number;
  /** Stops the checks, then closes the current Worker (BullMQ's `close`: running jobs finish unless `force`). */
  close(force?: boolean): Promise<void>;
}

/**
 * Runs a BullMQ Worker and replaces it with a new one (a new blocking connection) when it has stopped taking jobs:
 * its queue has held ready jobs for `stuckAfterMs`, and it has run none of them and runs none now. BullMQ's Worker
 * keeps a blocking duplicate of its Redis connection, which after a Redis Cluster master failover now and then never
 * comes back to fetching (the upstream reports taskforcesh/bullmq#4138, #3088; the maintainers' advice is to make a
 * new Worker). The replaced Worker is force-closed: it runs no job of this process then.
 */
export function superviseWorker<T, R>(options: WorkerSupervisorOptions<T, R>): SupervisedWorker<T, R> {
  const checkEveryMs = options.checkEveryMs ?? WORKER_CHECK_MS;
  const stuckAfterMs = options.stuckAfterMs ?? WORKER_STUCK_MS;
  let running = 0;
  let lastTakenAt = Date.now();
  let readySince: number | null = null;
  let replacements = 0;
  let closed = false;
  let checking = false;
  const tracked: JobProcessor<T, R> = async (job, token, signal) => {
    running += 1;
    lastTakenAt = Date.now();
    try {
      return await options.processor(job, token, signal);
    } finally {
      running -= 1;
      lastTakenAt = Date.now();
    }
  };
  let worker = options.start(tracked);

  const replace = (readyJobs: number, since: number): void => {
    const stuck = worker;
    worker = options.start(tracked);
    replacements += 1;
    readySince = null;
    lastTakenAt = Date.now();
    options.onReplaced?.({ stuckMs: lastTakenAt - since, readyJobs, replacements });
    void stuck.close(true).catch(() => {});
  };

  const check = async (): Promise<void> => {
    if (closed || checking) return;
    checking = true;
    try {
      if (running > 0 || worker.isPaused()) {
        readySince = null;
        return;
      }
      const ready = await options.readyJobs();
      if (closed) return;
      if (ready === 0) {
        readySince = null;
        return;
      }
      const now = Date.now();
      readySince ??= now;
      const since = Math.max(readySince, lastTakenAt);
      if (now - since >= stuckAfterMs && running === 0) replace(ready, since);
    } catch (error) {
      options.onCheckFailed?.(error);
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), checkEveryMs);
  timer.unref();

  return {
    get worker() {
      return worker;
    },
    get replacements() {
      return replacements;
    },
    async close(force = false) {
      closed = true;
      clearInterval(timer);
      await worker.close(force);
    },
  };
}
