/**
 * The job events a person follows, as the farm's processes log them: each is one log entry with `event` set to its
 * name, the job's `jobId` and `tenant`, and the fields below. `portrait-farm up` and `demo` read them from the
 * processes' JSON lines and print one readable line each; everything else stays in the log files.
 */
export interface JobEventDetails {
  /** The gateway accepted the job (POST /v1/jobs). */
  'job.created': Record<never, never>;
  /** The prepare step planned the job: its segments and frames, the clip's length, how long preparing took. */
  'job.prepared': { segments: number; frames: number; videoSeconds: number; durationMs: number };
  /** A segment's chunk is rendered: `segment` is its index (0-based) of `segments`; `segmentsDone` counts every segment done so far. */
  'segment.rendered': { segment: number; segments: number; segmentsDone: number; frames: number; durationMs: number };
  /** The stitch stored the video: its length and size, the stitch's time and the job's since it was created. */
  'job.succeeded': { videoSeconds: number; bytes: number; durationMs: number; jobMs: number };
  /** The job failed: the code and message recorded on it (`err`), the code also on its own. */
  'job.failed': { code: string; err: { code: string; message: string } };
  /** The job was canceled (POST /v1/jobs/{id}/cancel). */
  'job.canceled': Record<never, never>;
  /** A step failed and the queue runs it again: which step, the attempt that failed of how many, and why. */
  'step.retried': { queue: string; attempt: number; attempts: number; segment?: number; err: unknown };
}

export type JobEventName = keyof JobEventDetails;

/** Every job event's name. */
export const JOB_EVENT_NAMES: readonly JobEventName[] = Object.freeze([
  'job.created',
  'job.prepared',
  'segment.rendered',
  'job.succeeded',
  'job.failed',
  'job.canceled',
  'step.retried',
] satisfies JobEventName[]);

/** Who a job's log entries are about; every entry of a step carries both. */
export type JobLogFields = {
  jobId: string;
  /** The job's tenantId. Left out only where the logger's bindings carry it (the gateway's request logger). */
  tenant?: string;
};

/** The fields of job event `event`. */
export type JobEventFields<E extends JobEventName> = JobLogFields & JobEventDetails[E];

/** A job event's log entry: `logger.info(jobEvent('job.prepared', { jobId, tenant, ... }), 'job prepared')`. */
export function jobEvent<E extends JobEventName>(event: E, fields: JobEventFields<E>): { event: E } & JobEventFields<E> {
  return { event, ...fields };
}

export function isJobEventName(value: unknown): value is JobEventName {
  return typeof value === 'string' && (JOB_EVENT_NAMES as readonly string[]).includes(value);
}
