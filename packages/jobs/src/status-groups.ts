import type { JobStatus } from './job-status.ts';

/**
 * What an operator filters jobs by: the statuses with "preparing", "rendering" and "stitching" folded into "running".
 * Each group has an index in Redis (newest job first), kept by the job store's scripts.
 */
export const JOB_STATUS_GROUPS = Object.freeze(['queued', 'running', 'succeeded', 'failed', 'canceled'] as const);

export type JobStatusGroup = (typeof JOB_STATUS_GROUPS)[number];

export function isJobStatusGroup(value: unknown): value is JobStatusGroup {
  return typeof value === 'string' && (JOB_STATUS_GROUPS as readonly string[]).includes(value);
}

export function statusGroupOf(status: JobStatus): JobStatusGroup {
  return status === 'preparing' || status === 'rendering' || status === 'stitching' ? 'running' : status;
}
