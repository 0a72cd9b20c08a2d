import { sortableIdKind } from '@portrait-farm/contracts';

const JOB_IDS = sortableIdKind('job');
/** What a job id looks like, as a regular expression's source (the API document states it). */
export const JOB_ID_PATTERN_SOURCE = JOB_IDS.patternSource;

/**
 * A new job id, `job_` + 10 characters of creation time (ms) + 16 random characters (80 bits).
 * Ids sort by creation time as strings, which the per-tenant listing relies on.
 */
export function createJobId(now: number = Date.now()): string {
  return JOB_IDS.create(now);
}

/** Whether a string has the shape of a job id (checked before it is used in a Redis key). */
export function isJobId(value: string): boolean {
  return JOB_IDS.is(value);
}
