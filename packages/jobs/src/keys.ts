import { createHash } from 'node:crypto';
import type { JobStatusGroup } from './status-groups.ts';

/**
 * The end of the key name a script is given where a job has no Idempotency-Key (never read or written). An empty name
 * would hash to another cluster slot than the job's other keys (CROSSSLOT); this one shares their prefix.
 */
export const NO_IDEMPOTENCY_KEY_SUFFIX = ':no-idempotency-key';

/** Redis key names of the job store, all under one deployment prefix (e.g. "pf"). */
export interface JobKeys {
  job(id: string): string;
  segmentFrames(id: string): string;
  segmentsDone(id: string): string;
  webhookAttempts(id: string): string;
  tenantJobs(tenantId: string): string;
  tenantActive(tenantId: string): string;
  /** Sorted set of the tenant's held jobs (accepted beyond its concurrency), in release order: priority, then arrival. */
  tenantHeld(tenantId: string): string;
  /** Counter giving each held job its arrival number. */
  tenantHoldSequence(tenantId: string): string;
  /** The tenant's concurrency limit as the gateway last applied it: releases read it. */
  tenantConcurrency(tenantId: string): string;
  /** Sorted set of jobs released from a hold whose prepare step is not yet queued, scored by when a dispatcher may take them. */
  releasing(): string;
  /** Pub/Sub channel on which a release is announced (dispatchers wake on it). */
  releaseChannel(): string;
  idempotency(tenantId: string, key: string): string;
  /** Stands in a script's KEYS for a job without an Idempotency-Key (ends with {@link NO_IDEMPOTENCY_KEY_SUFFIX}). */
  noIdempotencyKey(): string;
  rateWindow(tenantId: string, scope: string, window: number): string;
  disabledEndpoints(): string;
  /** Sorted set of finished job ids, scored by the time they ended (ms): the retention sweep reads it. */
  finishedJobs(): string;
  /** Pub/Sub channel on which canceled job ids are published. */
  cancelChannel(): string;
  /** Hash of a job's stages (prepare, each segment, stitch): who ran them, when, how many frames. */
  timeline(id: string): string;
  /** Every job id, newest first by lexical order (ids sort by creation time). */
  allJobs(): string;
  /** The ids of the jobs whose status falls in the group, ordered as {@link JobKeys.allJobs}. */
  statusIndex(group: JobStatusGroup): string;
  /** Hash of the jobs that succeeded and failed and of the frames rendered in one minute (minutes since the epoch). */
  throughput(minute: number): string;
  /** Pub/Sub channel on which a job's id is published whenever it is created, deleted, or its status or progress changes. */
  changesChannel(): string;
}

/** Builds the key names for a prefix. Tenant ids and idempotency keys are hashed into fixed-size names. */
export function jobKeys(prefix: string): JobKeys {
  const p = `${prefix}:jobs`;
  const tenant = (tenantId: string) => `${p}:tenant:${encodeURIComponent(tenantId)}`;
  return Object.freeze({
    job: (id: string) => `${p}:job:${id}`,
    segmentFrames: (id: string) => `${p}:job:${id}:segment-frames`,
    segmentsDone: (id: string) => `${p}:job:${id}:segments-done`,
    webhookAttempts: (id: string) => `${p}:job:${id}:webhooks`,
    tenantJobs: (tenantId: string) => `${tenant(tenantId)}:jobs`,
    tenantActive: (tenantId: string) => `${tenant(tenantId)}:active`,
    tenantHeld: (tenantId: string) => `${tenant(tenantId)}:held`,
    tenantHoldSequence: (tenantId: string) => `${tenant(tenantId)}:held-sequence`,
    tenantConcurrency: (tenantId: string) => `${tenant(tenantId)}:concurrency`,
    releasing: () => `${p}:releasing`,
    releaseChannel: () => `${p}:released`,
    idempotency: (tenantId: string, key: string) =>
      `${tenant(tenantId)}:idem:${createHash('sha256').update(key).digest('base64url')}`,
    noIdempotencyKey: () => `${p}${NO_IDEMPOTENCY_KEY_SUFFIX}`,
    rateWindow: (tenantId: string, scope: string, window: number) => `${tenant(tenantId)}:rate:${scope}:${window}`,
    disabledEndpoints: () => `${p}:webhook-endpoints-disabled`,
    finishedJobs: () => `${p}:finished`,
    cancelChannel: () => `${p}:cancel`,
    timeline: (id: string) => `${p}:job:${id}:timeline`,
    allJobs: () => `${p}:all`,
    statusIndex: (group: JobStatusGroup) => `${p}:status:${group}`,
    throughput: (minute: number) => `${p}:throughput:${minute}`,
    changesChannel: () => `${p}:changes`,
  });
}
