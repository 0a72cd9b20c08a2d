import { createJobId, JobsError, jobStorageKeys } from '@portrait-farm/jobs';
import type { JobInput, JobRecord, JobStore } from '@portrait-farm/jobs';
import type { FarmQueues } from '@portrait-farm/queue';
import type { ObjectStorage } from '@portrait-farm/storage';
import { OpsError } from './errors.ts';

export interface RetryDeps {
  jobs: JobStore;
  queues: FarmQueues;
  storage: ObjectStorage;
}

/** The input's key under the new job: `jobs/{old}/input/image.png` -> `jobs/{new}/input/image.png`. */
function movedKey(key: string, from: string, to: string): string {
  const prefix = jobStorageKeys.inputPrefix(from);
  return key.startsWith(prefix) ? `${jobStorageKeys.inputPrefix(to)}${key.slice(prefix.length)}` : `${jobStorageKeys.inputPrefix(to)}${key.slice(key.lastIndexOf('/') + 1)}`;
}

async function copyInput<T extends JobInput>(storage: ObjectStorage, input: T, from: string, to: string): Promise<T> {
  if (!(await storage.exists(input.key))) {
    throw new OpsError('OPS_INPUTS_MISSING', `Job ${from} cannot run again: its input ${input.key} is no longer in storage.`);
  }
  const key = movedKey(input.key, from, to);
  await storage.put(key, await storage.getStream(input.key), input.contentType === null ? {} : { contentType: input.contentType });
  return { ...input, key };
}

/**
 * Runs a failed or canceled job again as a new job of the same tenant, linked to it (`retryOf`): its inputs copied
 * under the new id (so retention or DELETE of either job leaves the other whole), the same options, webhook, consent
 * and priority, no Idempotency-Key, past the tenant's active-job limit (an operator's decision), its prepare
 * enqueued. A new id, because a job's steps have deterministic queue ids that BullMQ keeps for a while after they
 * end: the same id could not be enqueued again, and the failed run's record, error and timeline stay to be read.
 * Throws JOBS_NOT_FOUND, OPS_JOB_NOT_RETRYABLE (queued, running or succeeded) or OPS_INPUTS_MISSING.
 */
export async function retryJob(deps: RetryDeps, id: string): Promise<JobRecord> {
  const record = await deps.jobs.getById(id);
  if (record === null) throw new JobsError('JOBS_NOT_FOUND', `Job ${id} not found.`);
  if (record.status !== 'failed' && record.status !== 'canceled') {
    throw new OpsError('OPS_JOB_NOT_RETRYABLE', `Job ${id} is ${record.status}: only a failed or canceled job can be retried.`);
  }
  if (record.consent === null) {
    throw new OpsError('OPS_JOB_NOT_RETRYABLE', `Job ${id} was created before consent was recorded; it cannot run again without one (submit it anew).`);
  }
  const newId = createJobId();
  const inputs = {
    image: await copyInput(deps.storage, record.inputs.image, id, newId),
    audio: await copyInput(deps.storage, record.inputs.audio, id, newId),
    // A job made from an avatar stays one: its prepare reads the avatar's prepared portrait while the avatar exists.
    ...(record.inputs.avatar === undefined ? {} : { avatar: record.inputs.avatar }),
  };
  const { record: created } = await deps.jobs.create({
    id: newId,
    tenantId: record.tenantId,
    options: record.options,
    inputs,
    webhook: record.webhook,
    consent: record.consent,
    priority: record.priority,
    idempotencyKey: null,
    requestHash: record.requestHash,
    retryOf: id,
  });
  await deps.queues.enqueuePrepare({ jobId: newId, tenantId: record.tenantId }, { priority: record.priority });
  return created;
}
