import type { JobEventType } from '@portrait-farm/jobs';

// BullMQ refuses custom ids containing ":" (they would clash with its key layout), so parts are joined with "-".

/** The BullMQ job id of a job's prepare step: adding it twice adds it once. */
export function prepareJobId(jobId: string): string {
  return `${jobId}-prepare`;
}

export function segmentJobId(jobId: string, segmentIndex: number): string {
  return `${jobId}-seg-${segmentIndex}`;
}

export function audioJobId(jobId: string): string {
  return `${jobId}-audio`;
}

export function stitchJobId(jobId: string): string {
  return `${jobId}-stitch`;
}

export function cleanupJobId(jobId: string): string {
  return `${jobId}-cleanup`;
}

export function webhookJobId(jobId: string, event: JobEventType, sequence: number, attempt: number): string {
  return `${jobId}-wh-${event.replace('.', '_')}-${sequence}-${attempt}`;
}
