import { isJobsError, isTerminal, jobStorageKeys } from '@portrait-farm/jobs';
import type { JobRecord } from '@portrait-farm/jobs';
import { jobEvent } from '@portrait-farm/logging';
import { recordJobEnd } from '@portrait-farm/metrics';
import type { FastifyBaseLogger } from 'fastify';
import type { GatewayContext } from './context.ts';

/** How long after deleting a job that was running its storage prefix is emptied again (a step finishing late). */
const LATE_WRITES_MS = 30_000;

/**
 * Cancels the tenant's job (idempotent): the record first, then the queued steps, the job.canceled webhook and the
 * chunks already written; workers still rendering see the flag, abort and delete theirs.
 */
export async function cancelJob(ctx: GatewayContext, log: FastifyBaseLogger, tenantId: string, id: string): Promise<{ record: JobRecord; changed: boolean }> {
  const { record, changed } = await ctx.jobs.cancel(tenantId, id);
  if (changed) {
    recordJobEnd(ctx.metrics.farm.jobs, 'canceled', null);
    log.info(jobEvent('job.canceled', { jobId: record.id }), 'job canceled');
    await ctx.queues.notify(record, 'job.canceled');
    await ctx.queues.discardSteps(record.id, record.plan?.segments.length ?? 0);
    await ctx.storage.deletePrefix(jobStorageKeys.chunkPrefix(record.id)).catch((error: unknown) => {
      log.warn({ err: error }, 'deleting chunks of a canceled job failed');
    });
  }
  return { record, changed };
}

/**
 * DELETE /v1/jobs/{id}: cancels the job if it is still running, removes everything stored under `jobs/{id}/`
 * (inputs, chunks, work files, output), then its record, webhook attempts and Idempotency-Key. Another tenant's
 * job is JOBS_NOT_FOUND, as a missing one. Storage goes before the record, so a failure leaves a job that can be
 * deleted again.
 */
export async function deleteJob(ctx: GatewayContext, log: FastifyBaseLogger, tenantId: string, id: string): Promise<void> {
  const record = await ctx.jobs.get(tenantId, id);
  const wasRunning = !isTerminal(record.status);
  if (wasRunning) {
    await cancelJob(ctx, log, tenantId, id).catch((error: unknown) => {
      // It finished between the read and the cancel: nothing runs any more.
      if (!isJobsError(error, 'JOBS_ALREADY_FINISHED')) throw error;
    });
  }
  const root = jobStorageKeys.root(id);
  await ctx.storage.deletePrefix(root);
  await ctx.jobs.deleteRecord(record);
  log.info({ jobId: id }, 'job deleted');
  if (wasRunning) {
    // A step that was writing when the job was canceled may finish its upload after the delete.
    setTimeout(() => {
      ctx.storage.deletePrefix(root).catch((error: unknown) => log.warn({ err: error, jobId: id }, 'deleting late files of a deleted job failed'));
    }, LATE_WRITES_MS).unref();
  }
}
