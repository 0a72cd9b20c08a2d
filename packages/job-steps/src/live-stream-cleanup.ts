import { hostname } from 'node:os';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { bullPrefix, QUEUE_NAMES } from '@portrait-farm/queue';
import type { CleanupJob } from '@portrait-farm/queue';
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
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
  deps: Pick<FarmDeps, 'storage' | 'logger'>;
  /** A Redis connection of the Worker's own (BullMQ blocks on it). */
  connection: Redis | Cluster;
  /** Deployment prefix; BullMQ keys live under `{prefix}:q:`. */
  prefix: string;
}

/** The BullMQ Worker of the "cleanup" queue (in the stitcher); a failed removal is retried by the queue's attempts. */
export function createLiveStreamCleanupWorker(options: LiveStreamCleanupWorkerOptions): Worker<CleanupJob> {
  const { deps } = options;
  const worker = new Worker<CleanupJob>(QUEUE_NAMES.cleanup, (job: Job<CleanupJob>) => processLiveStreamCleanup(deps, job.data.jobId), {
    connection: options.connection,
    prefix: bullPrefix(options.prefix),
    concurrency: 4,
    name: `${QUEUE_NAMES.cleanup}-${hostname()}-${process.pid}`,
  });
  worker.on('error', (error) => deps.logger.error({ queue: QUEUE_NAMES.cleanup, err: error }, 'queue worker error'));
  worker.on('failed', (job, error) => {
    if (job !== undefined) deps.logger.warn({ jobId: job.data.jobId, queue: QUEUE_NAMES.cleanup, attempt: job.attemptsMade, err: error }, 'removing the live stream failed');
  });
  return worker;
}
