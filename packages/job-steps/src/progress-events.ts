/** job.progress webhooks per job at most: one each time another tenth of the segments is done. */
export const PROGRESS_EVENT_STEPS = 10;

/**
 * Whether finishing segment number `done` (1-based count of segments done) of `total` crosses into another
 * tenth of the job, so a long job sends about ten job.progress events, not one per segment.
 */
export function isProgressMilestone(done: number, total: number, steps = PROGRESS_EVENT_STEPS): boolean {
  if (!Number.isInteger(done) || !Number.isInteger(total) || total < 1 || done < 1 || done > total) return false;
  return Math.floor((steps * done) / total) > Math.floor((steps * (done - 1)) / total);
}
