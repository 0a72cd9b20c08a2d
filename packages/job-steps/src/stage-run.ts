import type { StageEnd, TimelineStage } from '@portrait-farm/jobs';
import type { FarmDeps } from './farm-deps.ts';
import type { StepOutcome } from './step-support.ts';

/**
 * Where a process records the stages its steps run: the job's timeline (who ran it, when, how many frames) and, in a
 * worker, its heartbeat's current segment and frames/s.
 */
export interface StageRecorder {
  started(jobId: string, stage: TimelineStage, index: number | null, count: number | null): Promise<void>;
  ended(jobId: string, stage: TimelineStage, index: number | null, end: StageEnd): Promise<void>;
}

/** What a step tells {@link inStage}: that its stage really began (the job is live), and its frames once known. */
export interface StageRun {
  /** Records the start; `count`: the job's segments, when known. Steps call it once they know the job goes on. */
  start(count?: number | null): Promise<void>;
  /**
   * Records the stage done now, before the step moves the job to an end (stitch: succeeded), so an ended job never
   * shows it running. The step's outcome still decides: one other than "done", or an error, is recorded over it.
   */
  done(): Promise<void>;
  /** Frames the stage rendered, recorded with its end. */
  frames: number | null;
}

function errorCodeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'FARM_STEP_FAILED';
}

/**
 * Runs a step's work as one stage of the job's timeline: the end is recorded once the work called `start` (done, or
 * failed with the outcome or the error's code). A timeline that cannot be written is logged, never fails the step.
 */
export async function inStage(deps: FarmDeps, jobId: string, stage: TimelineStage, index: number | null, work: (run: StageRun) => Promise<StepOutcome>): Promise<StepOutcome> {
  const recorder = deps.stages;
  if (recorder === undefined) return work({ start: async () => {}, done: async () => {}, frames: null });
  const logged = (promise: Promise<void>): Promise<void> =>
    promise.catch((error: unknown) => deps.logger.warn({ jobId, stage, segment: index ?? undefined, err: error }, 'job timeline not written'));
  let started = false;
  let recordedDone = false;
  const run: StageRun = {
    frames: null,
    async start(count = null) {
      started = true;
      await logged(recorder.started(jobId, stage, index, count));
    },
    async done() {
      if (!started || recordedDone) return;
      recordedDone = true;
      await logged(recorder.ended(jobId, stage, index, { status: 'done', frames: run.frames }));
    },
  };
  try {
    const outcome = await work(run);
    if (outcome === 'done') await run.done();
    else if (started) await logged(recorder.ended(jobId, stage, index, { status: 'failed', error: outcome }));
    return outcome;
  } catch (error) {
    if (started) await logged(recorder.ended(jobId, stage, index, { status: 'failed', error: errorCodeOf(error) }));
    throw error;
  }
}
