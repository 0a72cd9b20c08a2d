import type { StageNotice, TimelineStage } from '@portrait-farm/jobs';
import type { ProcessState, WorkerActivityState } from './worker-registry.ts';

const STATE_OF_STAGE: Readonly<Record<TimelineStage, ProcessState>> = Object.freeze({ prepare: 'preparing', segment: 'rendering', stitch: 'stitching' });

type Started = Extract<StageNotice, { kind: 'started' }>;

const runKey = (notice: Pick<StageNotice, 'jobId' | 'stage' | 'index'>): string => `${notice.jobId}/${notice.stage}/${notice.index ?? ''}`;

/**
 * What one worker or stitcher process is doing, followed from the stage notices of its steps: the stages running now (the newest
 * is shown) and the frames per second of the last segment it finished.
 */
export class WorkerActivity {
  private readonly running = new Map<string, Started>();
  private framesPerSecond: number | null = null;

  /** Takes one notice (StepProcessOptions.onStage). */
  readonly observe = (notice: StageNotice): void => {
    const key = runKey(notice);
    if (notice.kind === 'started') {
      this.running.delete(key);
      this.running.set(key, notice);
      return;
    }
    const start = this.running.get(key);
    this.running.delete(key);
    if (start === undefined || notice.stage !== 'segment' || notice.status !== 'done' || notice.frames === null) return;
    const seconds = (notice.at - start.at) / 1000;
    if (seconds > 0) this.framesPerSecond = Math.round((notice.frames / seconds) * 100) / 100;
  };

  snapshot(): WorkerActivityState {
    const runs = [...this.running.values()];
    const newest = runs[runs.length - 1];
    const segment = runs.filter((run) => run.stage === 'segment').pop();
    return {
      state: newest === undefined ? 'idle' : STATE_OF_STAGE[newest.stage],
      stage: newest?.stage ?? null,
      jobId: newest?.jobId ?? null,
      segment: segment === undefined ? null : { jobId: segment.jobId, index: segment.index ?? 0, count: segment.count ?? 0 },
      framesPerSecond: this.framesPerSecond,
    };
  }
}
