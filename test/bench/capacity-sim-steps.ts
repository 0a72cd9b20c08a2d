// The farm's prepare, segment and stitch steps with the engine taken out, for capacity-sim.ts: each does the Redis and
// storage calls its real step does (packages/job-steps: process-prepare.ts, process-segment.ts, process-stitch.ts),
// in the same order, on the same FarmDeps (job store, queues, cancel watcher, timelines, storage), and holds where
// the real step computes. Not simulated: the audio step (its track), the webhook and cleanup steps, the worker
// registry's heartbeat.
import { jobStorageKeys } from '@portrait-farm/jobs';
import type { JobPlan, JobRecord } from '@portrait-farm/jobs';
import { isTerminal } from '@portrait-farm/jobs';
import type { FarmDeps, StepOutcome } from '@portrait-farm/job-steps';
import { workKeys } from '@portrait-farm/job-steps';
import type { SegmentJob } from '@portrait-farm/queue';

/** What one job costs, from capacity-measure.ts's figures: holds in seconds, objects in bytes. */
export interface SimProfile {
  segments: number;
  framesPerSegment: number;
  /** Prepare's own work before segment 0 (decode, face, plan). */
  prepareSeconds: number;
  /** A segment's features and motion: segment i+1 is released after it. */
  motionSeconds: number;
  /** A segment's render and encode, after the release. */
  renderSeconds: number;
  stitchSeconds: number;
  clipBytes: number;
  relayBytes: number;
  chunkBytes: number;
  outputBytes: number;
}

const sleep = (seconds: number): Promise<void> => new Promise((r) => setTimeout(r, seconds * 1000));

/** Bytes of a given length (content does not matter to Redis or S3). */
const bytesCache = new Map<number, Buffer>();
function bytesOf(length: number): Buffer {
  let bytes = bytesCache.get(length);
  if (bytes === undefined) {
    bytes = Buffer.alloc(Math.max(0, Math.round(length)), 7);
    bytesCache.set(length, bytes);
  }
  return bytes;
}

/** The job's record, or null when it is gone, ended or canceled (step-support.ts liveRecord). */
async function liveRecord(deps: FarmDeps, jobId: string): Promise<JobRecord | null> {
  const record = await deps.jobs.getById(jobId);
  return record === null || isTerminal(record.status) || record.cancelRequested ? null : record;
}

/** The cancel signal held while the step runs (step-support.ts holdCancelSignal, one holder per step here). */
async function withCancel<T>(deps: FarmDeps, jobId: string, work: () => Promise<T>): Promise<T> {
  await deps.cancels.signalFor(jobId);
  try {
    return await work();
  } finally {
    deps.cancels.release(jobId);
  }
}

/** Whether segment count `done` of `total` crosses another tenth (progress-events.ts isProgressMilestone). */
function isProgressMilestone(done: number, total: number): boolean {
  return Math.floor((10 * done) / total) > Math.floor((10 * (done - 1)) / total);
}

/** The segment plan of a job of `profile` (as prepare stores it). */
export function simPlan(profile: SimProfile): JobPlan {
  return {
    pack: { name: 'sim', version: '0' },
    fps: 25,
    frameCount: profile.segments * profile.framesPerSegment,
    durationSeconds: (profile.segments * profile.framesPerSegment) / 25,
    segments: Array.from({ length: profile.segments }, (_, index) => ({
      index,
      firstWindow: index,
      windowCount: 1,
      frameStart: index * profile.framesPerSegment,
      frameEnd: (index + 1) * profile.framesPerSegment,
    })),
  };
}

/** The steps of one simulated worker process; `clipsSeen` stands for its ClipCache (a clip is read once per process). */
export class SimSteps {
  private readonly clipsSeen = new Set<string>();

  constructor(
    private readonly deps: FarmDeps,
    private readonly profile: SimProfile,
  ) {}

  /** processPrepare: inputs read, the clip stored, the plan on the record, then segment 0 here. */
  async prepare(jobId: string): Promise<StepOutcome> {
    const { deps } = this;
    const record = await liveRecord(deps, jobId);
    if (record === null) return 'skipped';
    await deps.jobs.transition(jobId, 'preparing');
    return withCancel<StepOutcome>(deps, jobId, async () => {
      await deps.stages?.started(jobId, 'prepare', null, null);
      await Promise.all([deps.storage.exists(record.inputs.image.key), deps.storage.exists(record.inputs.audio.key)]);
      await Promise.all([deps.storage.get(record.inputs.image.key), deps.storage.get(record.inputs.audio.key)]);
      await sleep(this.profile.prepareSeconds);
      for (const stage of ['decode', 'face', 'plan']) await deps.jobs.addWorkSeconds(jobId, stage, 0.1);
      await deps.storage.put(workKeys.clip(jobId), bytesOf(this.profile.clipBytes), { contentType: 'application/octet-stream' });
      this.clipsSeen.add(jobId);
      await deps.jobs.setPlan(jobId, simPlan(this.profile));
      await deps.jobs.addWorkSeconds(jobId, 'prepare', this.profile.prepareSeconds);
      await deps.stages?.ended(jobId, 'prepare', null, { status: 'done', frames: null });
      return this.segment({ jobId, segmentIndex: 0, firstWindow: 0, windowCount: 1, frameStart: 0, frameEnd: this.profile.framesPerSegment });
    });
  }

  /** processSegment: relay in, hold (motion), relay out and the next segment released, hold (render), chunk out, progress. */
  async segment(job: SegmentJob): Promise<StepOutcome> {
    const { deps, profile } = this;
    const { jobId, segmentIndex: index } = job;
    const record = await liveRecord(deps, jobId);
    if (record === null) return 'skipped';
    return withCancel<StepOutcome>(deps, jobId, async () => {
      if (!this.clipsSeen.has(jobId)) {
        await deps.storage.get(workKeys.clip(jobId));
        this.clipsSeen.add(jobId);
      }
      await deps.stages?.started(jobId, 'segment', index, profile.segments);
      if (index > 0) {
        const key = workKeys.relay(jobId, index - 1);
        if (!(await deps.storage.exists(key))) throw new Error(`Relay ${key} of segment ${index - 1} is not in storage.`);
        await deps.storage.get(key);
      }
      await sleep(profile.motionSeconds);
      const last = index === profile.segments - 1;
      if (!last) {
        await deps.storage.putIfAbsent(workKeys.relay(jobId, index), bytesOf(profile.relayBytes), { contentType: 'application/octet-stream' });
        const next = index + 1;
        const frames = profile.framesPerSegment;
        await deps.queues.enqueueSegment({ jobId, segmentIndex: next, firstWindow: next, windowCount: 1, frameStart: next * frames, frameEnd: (next + 1) * frames }, { priority: record.priority });
      }
      await deps.jobs.addWorkSeconds(jobId, 'audio', profile.motionSeconds / 4);
      await deps.jobs.addWorkSeconds(jobId, 'motion', profile.motionSeconds);
      await deps.jobs.transition(jobId, 'rendering');
      const chunkKey = jobStorageKeys.chunk(jobId, index);
      if (!(await deps.storage.exists(chunkKey))) {
        await sleep(profile.renderSeconds);
        await deps.storage.putIfAbsent(chunkKey, bytesOf(profile.chunkBytes), { contentType: 'video/mp2t' });
        await deps.jobs.addWorkSeconds(jobId, 'render', profile.renderSeconds);
      }
      const { segmentsDone } = await deps.jobs.reportSegment(jobId, index, profile.framesPerSegment, true);
      if (isProgressMilestone(segmentsDone, profile.segments)) await deps.queues.notify(record, 'job.progress', segmentsDone);
      if (segmentsDone >= profile.segments) await deps.queues.enqueueStitch({ jobId }, { priority: record.priority });
      await deps.stages?.ended(jobId, 'segment', index, { status: 'done', frames: profile.framesPerSegment });
      return 'done';
    });
  }

  /** processStitch: every chunk read, hold (concat), output stored, succeeded, work files deleted, cleanup and webhook queued. */
  async stitch(jobId: string): Promise<StepOutcome> {
    const { deps, profile } = this;
    const record = await liveRecord(deps, jobId);
    if (record === null) return 'skipped';
    await deps.jobs.transition(jobId, 'stitching');
    return withCancel<StepOutcome>(deps, jobId, async () => {
      await deps.stages?.started(jobId, 'stitch', null, null);
      for (let index = 0; index < profile.segments; index += 8) {
        const batch = Array.from({ length: Math.min(8, profile.segments - index) }, (_, i) => jobStorageKeys.chunk(jobId, index + i));
        await Promise.all(batch.map(async (key) => (await deps.storage.exists(key)) && deps.storage.get(key)));
      }
      await sleep(profile.stitchSeconds);
      await deps.storage.put(jobStorageKeys.output(jobId), bytesOf(profile.outputBytes), { contentType: 'video/mp4' });
      await deps.jobs.addWorkSeconds(jobId, 'stitch', profile.stitchSeconds);
      await deps.stages?.ended(jobId, 'stitch', null, { status: 'done', frames: null });
      const result = await deps.jobs.succeed(jobId, { key: jobStorageKeys.output(jobId), size: profile.outputBytes, sha256: '0'.repeat(64), durationSeconds: simPlan(profile).durationSeconds });
      if (!result.applied) return 'skipped';
      await deps.storage.deletePrefix(jobStorageKeys.workPrefix(jobId));
      await deps.queues.enqueueCleanup({ jobId }, { delayMs: 3_600_000, priority: record.priority });
      const finished = await deps.jobs.getById(jobId);
      if (finished !== null) await deps.queues.notify(finished, 'job.succeeded');
      return 'done';
    });
  }
}
