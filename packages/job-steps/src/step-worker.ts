import { hostname } from 'node:os';
import { isRetryable } from '@portrait-farm/contracts';
import { jobEvent } from '@portrait-farm/logging';
import { recordJobEnd, timeStep } from '@portrait-farm/metrics';
import { bullPrefix, readyJobCount, superviseWorker } from '@portrait-farm/queue';
import type { JobProcessor, QueueName, SupervisedWorker } from '@portrait-farm/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { FarmDeps } from './farm-deps.ts';
import { failJob } from './process-stitch.ts';
import { publicMessage } from './public-message.ts';
import { deleteIntermediates, msSince } from './step-support.ts';
import type { StepOutcome } from './step-support.ts';
import { isStorageUnavailable, STORAGE_WAIT_MS, waitForStorage } from './storage-wait.ts';

/**
 * Whether a step that failed with an error no catalogue describes (a bug, a library's exception) is retried. It is:
 * such an error may be transient, and the queue's attempt limit bounds the cost when it is not.
 */
export const RETRY_UNKNOWN_ERRORS = true;

/** The code recorded on a job that failed with an error no catalogue describes. */
const UNKNOWN_ERROR_CODE = 'FARM_STEP_FAILED';

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : UNKNOWN_ERROR_CODE;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Options of {@link stepWorker}. */
export interface StepWorkerOptions {
  /** The process's storage, job store, queues and logger. */
  deps: FarmDeps;
  /** A Redis connection of the Worker's own (BullMQ blocks on it). */
  connection: Redis | Cluster;
  /** Deployment prefix; BullMQ keys live under `{prefix}:q:`. */
  prefix: string;
  /** Steps of this queue run at once in this process. */
  concurrency: number;
  /** How long a step's lock lasts before another process may take the step over, in milliseconds. */
  lockMs: number;
  /** How often this process looks for steps whose process died, in milliseconds. */
  stalledIntervalMs: number;
  /**
   * How long a step that failed with STORAGE_UNAVAILABLE waits for the store to answer again before its attempt
   * ends (the retry then finds it back), in milliseconds. @defaultValue STORAGE_WAIT_MS (60 s)
   */
  storageWaitMs?: number;
}

/** The fields of a step's log entries: its job and tenant, queue, attempt (1-based) and segment where it has one. */
type StepLogFields = {
  jobId: string;
  tenant?: string;
  segment?: number;
  queue: string;
  attempt: number;
};

async function stepFields(deps: FarmDeps, queue: string, job: Job<{ jobId: string }>, attempt: number): Promise<StepLogFields> {
  const { jobId } = job.data;
  const segment = (job.data as { segmentIndex?: unknown }).segmentIndex;
  const record = await deps.jobs.getById(jobId).catch(() => null);
  return {
    jobId,
    ...(record === null ? {} : { tenant: record.tenantId }),
    ...(typeof segment === 'number' ? { segment } : {}),
    queue,
    attempt,
  };
}

/** A step found its job canceled or failed: remove what this or a racing step may have written after the cleanup. */
async function cleanUpEnded(deps: FarmDeps, jobId: string): Promise<void> {
  const record = await deps.jobs.getById(jobId);
  if (record !== null && (record.status === 'canceled' || record.status === 'failed')) await deleteIntermediates(deps, jobId);
}

/**
 * A BullMQ Worker running one farm step per queued job. A step that throws is retried (up to the queue's attempt
 * limit, with backoff) when its error's catalogue marks it retryable, or when no catalogue describes it
 * ({@link RETRY_UNKNOWN_ERRORS}); otherwise the job fails at once. After the last attempt the job record fails
 * with the error's code. The Worker is replaced by a new one when it stops taking steps while steps wait
 * (superviseWorker: a blocking connection that did not come back from a Redis failover).
 */
export function stepWorker<T extends { jobId: string }>(queue: QueueName, options: StepWorkerOptions, run: (data: T) => Promise<StepOutcome>): SupervisedWorker<T, StepOutcome> {
  const { deps } = options;
  const metrics = deps.metrics?.steps;
  metrics?.slots.set({ queue }, options.concurrency);
  const timed = (step: () => Promise<StepOutcome>): Promise<StepOutcome> => (metrics === undefined ? step() : timeStep(metrics, queue, step, codeOf));
  const processor: JobProcessor<T, StepOutcome> = (job) => timed(async () => {
    const started = performance.now();
    try {
      const outcome = await run(job.data);
      if (outcome === 'canceled' || outcome === 'skipped') await cleanUpEnded(deps, job.data.jobId);
      deps.logger.info({ ...(await stepFields(deps, queue, job, job.attemptsMade + 1)), outcome, durationMs: msSince(started) }, `${queue} step ${outcome}`);
      return outcome;
    } catch (error) {
      if (isStorageUnavailable(error) && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
        const waitStarted = performance.now();
        const back = await waitForStorage(deps.storage, options.storageWaitMs ?? STORAGE_WAIT_MS);
        deps.logger.warn(
          { ...(await stepFields(deps, queue, job, job.attemptsMade + 1)), err: error, waitedMs: msSince(waitStarted), storageBack: back },
          back ? `${queue} step: storage unreachable, answered again` : `${queue} step: storage still unreachable`,
        );
      }
      if (isRetryable(error, RETRY_UNKNOWN_ERRORS)) throw error;
      throw Object.assign(new UnrecoverableError(messageOf(error)), { code: codeOf(error) });
    }
  });
  return superviseWorker<T, StepOutcome>({
    processor,
    start: (tracked) => startStepWorker(queue, options, tracked),
    readyJobs: () => readyJobCount(deps.queues, queue),
    onReplaced: ({ stuckMs, readyJobs, replacements }) => {
      metrics?.workerReplacements.inc({ queue });
      deps.logger.warn({ queue, stuckMs, readyJobs, replacements }, `${queue} worker took no step in ${Math.round(stuckMs / 1000)} s while ${readyJobs} waited; replaced by a new one`);
    },
  });
}

function startStepWorker<T extends { jobId: string }>(queue: QueueName, options: StepWorkerOptions, processor: JobProcessor<T, StepOutcome>): Worker<T, StepOutcome> {
  const { deps } = options;
  const worker = new Worker<T, StepOutcome>(queue, processor, {
    connection: options.connection,
    prefix: bullPrefix(options.prefix),
    concurrency: options.concurrency,
    name: `${queue}-${hostname()}-${process.pid}`,
    lockDuration: options.lockMs,
    stalledInterval: options.stalledIntervalMs,
    maxStalledCount: 2,
  });
  worker.on('error', (error) => deps.logger.error({ queue, err: error }, 'queue worker error'));
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const stalledOut = /stalled more than/i.test(error.message);
    const attempts = job.opts.attempts ?? 1;
    const finalAttempt = error instanceof UnrecoverableError || stalledOut || job.attemptsMade >= attempts;
    void (async () => {
      const fields = await stepFields(deps, queue, job, job.attemptsMade);
      if (!finalAttempt) {
        deps.logger.warn(
          jobEvent('step.retried', { ...fields, attempts, err: error }),
          `${queue} step failed; retrying`,
        );
        return;
      }
      deps.logger.warn({ ...fields, attempts, err: error }, `${queue} step failed; no retry`);
      await failJob(deps, job.data.jobId, { code: codeOf(error), message: `The ${queue} step failed: ${publicMessage(error.message)}` });
    })().catch((e: unknown) => deps.logger.error({ jobId: job.data.jobId, queue, err: e }, 'could not record the failure'));
  });
  return worker;
}
