import type { JobStore } from '@portrait-farm/jobs';
import type { Cluster, Redis } from 'ioredis';
import type { FarmQueues } from './farm-queues.ts';

export interface HeldJobDispatcherOptions {
  /** The job store whose releases it dispatches. */
  jobs: JobStore;
  /** Where the released jobs' prepare steps go. */
  queues: FarmQueues;
  /** Opens the connection it subscribes on (put in subscriber mode; disconnected by `stop`). */
  subscriber: () => Redis | Cluster;
  /**
   * How often it looks for releases without an announcement (one missed, one left by a dispatcher that died).
   * @defaultValue 2000
   */
  pollIntervalMs?: number;
  /** How long a claimed release stays this dispatcher's before another may take it, in milliseconds. @defaultValue 60000 */
  leaseMs?: number;
  /** @defaultValue errors are dropped (the next announcement or poll retries) */
  onError?: (error: unknown) => void;
}

export interface HeldJobDispatcher {
  /** Dispatches what is released now (tests, and the first pass at start). */
  dispatchNow(): Promise<number>;
  stop(): Promise<void>;
}

const CLAIM_BATCH = 50;

/**
 * Queues the prepare steps of jobs released from a tenant's hold (`JobStore`'s releasing set), at their own
 * priority. A release claimed here is confirmed only once its step is queued; a job canceled meanwhile is skipped.
 * Returns how many releases it handled.
 */
export async function dispatchReleasedJobs(jobs: JobStore, queues: FarmQueues, leaseMs: number): Promise<number> {
  let handled = 0;
  for (;;) {
    const ids = await jobs.claimReleased(CLAIM_BATCH, leaseMs);
    if (ids.length === 0) return handled;
    for (const id of ids) {
      const record = await jobs.getById(id);
      if (record !== null && record.status === 'queued') {
        await queues.enqueuePrepare({ jobId: id, tenantId: record.tenantId }, { priority: record.priority });
      }
      await jobs.releaseQueued(id);
      handled += 1;
    }
  }
}

/**
 * Runs {@link dispatchReleasedJobs} whenever a release is announced on the job store's release channel, and every
 * `pollIntervalMs`. Several dispatchers (one per gateway) may run: each release is claimed by one of them.
 */
export function startHeldJobDispatcher(options: HeldJobDispatcherOptions): HeldJobDispatcher {
  const leaseMs = options.leaseMs ?? 60_000;
  const onError = options.onError ?? (() => {});
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = false;

  const dispatchNow = async (): Promise<number> => {
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      let handled = 0;
      do {
        again = false;
        handled += await dispatchReleasedJobs(options.jobs, options.queues, leaseMs);
      } while (again && !stopped);
      return handled;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  const trigger = (): void => {
    if (!stopped) dispatchNow().catch(onError);
  };

  const subscriber = options.subscriber();
  subscriber.on('error', onError);
  subscriber.on('message', trigger);
  subscriber.subscribe(options.jobs.keys.releaseChannel()).then(trigger, onError);
  const timer = setInterval(trigger, options.pollIntervalMs ?? 2000);
  timer.unref();

  return {
    dispatchNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      subscriber.disconnect();
      await running?.catch(() => 0);
    },
  };
}
