import { hostname } from 'node:os';
import { isRetryable } from '@portrait-farm/contracts';
import { bullPrefix } from '@portrait-farm/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { FarmDeps } from './farm-deps.ts';
import { failJob } from './process-stitch.ts';
import { deleteIntermediates } from './step-support.ts';
import type { StepOutcome } from './step-support.ts';

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
  /** The process's storage, job store, queues and log. */
  deps: FarmDeps;
  /** A Redis connection of the Worker's own (BullMQ blocks on it). */
  connection: Redis;
  /** Deployment prefix; BullMQ keys live under `{prefix}:q:`. */
  prefix: string;
  /** Steps of this queue run at once in this process. */
  concurrency: number;
  /** How long a step's lock lasts before another process may take the step over, in milliseconds. */
  lockMs: number;
  /** How often this process looks for steps whose process died, in milliseconds. */
  stalledIntervalMs: number;
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
 * with the error's code.
 */
export function stepWorker<T extends { jobId: string }>(queue: string, options: StepWorkerOptions, run: (data: T) => Promise<StepOutcome>): Worker<T> {
  const { deps } = options;
  const worker = new Worker<T>(
    queue,
    async (job: Job<T>) => {
      try {
        const outcome = await run(job.data);
        if (outcome === 'canceled' || outcome === 'skipped') await cleanUpEnded(deps, job.data.jobId);
        return outcome;
      } catch (error) {
        if (isRetryable(error, RETRY_UNKNOWN_ERRORS)) throw error;
        throw Object.assign(new UnrecoverableError(messageOf(error)), { code: codeOf(error) });
      }
    },
    {
      connection: options.connection,
      prefix: bullPrefix(options.prefix),
      concurrency: options.concurrency,
      name: `${queue}-${hostname()}-${process.pid}`,
      lockDuration: options.lockMs,
      stalledInterval: options.stalledIntervalMs,
      maxStalledCount: 2,
    },
  );
  worker.on('error', (error) => deps.log(`${queue} worker: ${error.message}`));
  worker.on('failed', (job, error) => {
    if (job === undefined) return;
    const stalledOut = /stalled more than/i.test(error.message);
    const finalAttempt = error instanceof UnrecoverableError || stalledOut || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.log(`${job.data.jobId}: ${queue} step failed (attempt ${job.attemptsMade}): ${error.message}`);
    if (!finalAttempt) return;
    failJob(deps, job.data.jobId, { code: codeOf(error), message: `The ${queue} step failed: ${error.message}` }).catch((e: Error) =>
      deps.log(`${job.data.jobId}: could not record the failure: ${e.message}`),
    );
  });
  return worker;
}
