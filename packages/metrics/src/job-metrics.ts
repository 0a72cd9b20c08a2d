import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Stages of a job's latency: the seconds it spent in each status, and end to end. */
export const JOB_STAGES = Object.freeze(['queued', 'prepare', 'render', 'stitch', 'end_to_end'] as const);
export type JobStage = (typeof JOB_STAGES)[number];

/** How a job ended. */
export const JOB_END_STATUSES = Object.freeze(['succeeded', 'failed', 'canceled'] as const);
export type JobEndStatus = (typeof JOB_END_STATUSES)[number];

/** Seconds a job spent in each status (a job record's timings; null where it never was in it). */
export interface JobStageSeconds {
  queued: number | null;
  preparing: number | null;
  rendering: number | null;
  stitching: number | null;
  total: number | null;
}

/** Jobs as they finish: counted by how they ended, and a succeeded job's latency per stage. */
export interface JobMetrics {
  readonly stageDuration: Histogram<'stage'>;
  readonly finished: Counter<'status'>;
}

export function defineJobMetrics(registry: Registry): JobMetrics {
  return {
    stageDuration: new Histogram({
      name: 'portrait_farm_job_stage_duration_seconds',
      help: "A succeeded job's seconds per stage (queued, prepare, render, stitch) and end to end, from its own status times.",
      labelNames: ['stage'] as const,
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers: [registry],
    }),
    finished: new Counter({
      name: 'portrait_farm_jobs_finished_total',
      help: 'Jobs that ended, by status (succeeded, failed, canceled).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
  };
}

/** Counts a job that ended; a succeeded one's stage times are observed too. */
export function recordJobEnd(metrics: JobMetrics, status: JobEndStatus, seconds: JobStageSeconds | null): void {
  metrics.finished.inc({ status });
  if (status !== 'succeeded' || seconds === null) return;
  const stages: ReadonlyArray<readonly [JobStage, number | null]> = [
    ['queued', seconds.queued],
    ['prepare', seconds.preparing],
    ['render', seconds.rendering],
    ['stitch', seconds.stitching],
    ['end_to_end', seconds.total],
  ];
  for (const [stage, value] of stages) if (value !== null) metrics.stageDuration.observe({ stage }, value);
}
