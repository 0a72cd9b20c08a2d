import { hostname } from 'node:os';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { bullPrefix, QUEUE_NAMES, readyJobCount, superviseWorker } from '@portrait-farm/queue';
import type { CleanupJob, SupervisedWorker } from '@portrait-farm/queue';
import { Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { FarmDeps } from './farm-deps.ts';

/**
 * How long a succeeded job's chunks stay, in milliseconds: a player that started the live stream with the first
 * chunk and plays in real time is at most the clip's length behind when the job succeeds; `graceSeconds` more
 * covers a late start or a pause.
 */
export function liveStreamKeptMs(clipSeconds: number, graceSeconds: number): number {
  return Math.ceil((Math.max(0, clipSeconds) + Math.max(0, graceSeconds)) * 1000);
}

/**
 * The cleanup step, queued (delayed) by the stitch: removes a succeeded job's chunks, which its ended live playlist
 * listed until then. Idempotent; a job whose record is gone is cleaned up the same way.
 */
export async function processLiveStreamCleanup(deps: Pick<FarmDeps, 'storage' | 'logger'>, jobId: string): Promise<void> {
  const removed = await deps.storage.deletePrefix(jobStorageKeys.chunkPrefix(jobId));
  deps.logger.info({ jobId, chunks: removed }, 'live stream removed');
}

/** Options of {@link createLiveStreamCleanupWorker}. */
export interface LiveStreamCleanupWorkerOptions {
  deps: Pick<FarmDeps, 'storage' | 'logger' | 'queues'>;
  /** A Redis connection of the Worker's own (BullMQ blocks on it). */
  connection: Redis | Cluster;
  /** Deployment prefix; BullMQ keys live under `{prefix}:q:`. */
  prefix: string;
}

/**
 * The BullMQ Worker of the "cleanup" queue (in the stitcher); a failed removal is retried by the queue's attempts.
 * It is replaced by a new one when it stops taking removals that are due (superviseWorker).
 */
export function createLiveStreamCleanupWorker(options: LiveStreamCleanupWorkerOptions): SupervisedWorker<CleanupJob, void> {
  const { deps } = options;
  const queue = QUEUE_NAMES.cleanup;
  return superviseWorker<CleanupJob, void>({
    processor: (job) => processLiveStreamCleanup(deps, job.data.jobId),
    start: (processor) => {
      const worker = new Worker<CleanupJob, void>(queue, processor, {
        connection: options.connection,
        prefix: bullPrefix(options.prefix),
        concurrency: 4,
        name: `${queue}-${hostname()}-${process.pid}`,
      });
      worker.on('error', (error) => deps.logger.error({ queue, err: error }, 'queue worker error'));
      worker.on('failed', (job, error) => {
        if (job !== undefined) deps.logger.warn({ jobId: job.data.jobId, queue, attempt: job.attemptsMade, err: error }, 'removing the live stream failed');
      });
      return worker;
    },
    readyJobs: () => readyJobCount(deps.queues, queue),
    onReplaced: (replacement) => deps.logger.warn({ queue, ...replacement }, 'cleanup worker took no removal while removals were due; replaced by a new one'),
  });
}
