import type { JobTimelines, StageNotice } from '@portrait-farm/jobs';
import type { StageRecorder } from './stage-run.ts';

/**
 * The recorder of a farm process: each stage's start and end on the job's timeline under the process's id, and told
 * to `notice` (the worker's activity, which its heartbeat publishes).
 */
export function timelineRecorder(timelines: JobTimelines, processId: string, notice: (event: StageNotice) => void = () => {}): StageRecorder {
  return {
    async started(jobId, stage, index, count) {
      notice({ kind: 'started', jobId, stage, index, count, at: Date.now() });
      await timelines.started(jobId, stage, index, processId);
    },
    async ended(jobId, stage, index, end) {
      notice({ kind: 'ended', jobId, stage, index, status: end.status, frames: end.frames ?? null, at: Date.now() });
      await timelines.ended(jobId, stage, index, end);
    },
  };
}
