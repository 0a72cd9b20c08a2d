/** Every status a job can have, in the order a successful job passes through them, then the failure endings. */
export const JOB_STATUSES = Object.freeze([
  'queued',
  'preparing',
  'rendering',
  'stitching',
  'succeeded',
  'failed',
  'canceled',
] as const);

export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(['succeeded', 'failed', 'canceled']);

/** Non-terminal statuses ordered along the pipeline; a job only moves forward along it. */
const PIPELINE: readonly JobStatus[] = ['queued', 'preparing', 'rendering', 'stitching'];

/**
 * The state machine: for each status, the statuses it may move to. Forward along the pipeline (skipping a
 * stage is allowed, e.g. a whole-clip worker going from preparing to stitching), succeeded only from
 * stitching, failed and canceled from any non-terminal status; terminal statuses are final.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = Object.freeze(
  Object.fromEntries(
    JOB_STATUSES.map((from) => {
      if (TERMINAL_STATUSES.has(from)) return [from, Object.freeze([])];
      const rank = PIPELINE.indexOf(from);
      const forward = PIPELINE.slice(rank + 1);
      const endings: JobStatus[] = from === 'stitching' ? ['succeeded', 'failed', 'canceled'] : ['failed', 'canceled'];
      return [from, Object.freeze([...forward, ...endings])];
    }),
  ) as Record<JobStatus, readonly JobStatus[]>,
);

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** The statuses from which `to` can be reached (what the atomic transition script checks against). */
export function statusesLeadingTo(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canTransition(from, to));
}
