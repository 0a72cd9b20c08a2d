import { join } from 'node:path';
import { generateSegmentMotion, renderSegmentChunk, segmentFeatures, segmentOutputMotion } from '@portrait-farm/engine';
import type { SegmentRelay } from '@portrait-farm/engine';
import { jobStorageKeys } from '@portrait-farm/jobs';
import { jobEvent } from '@portrait-farm/logging';
import { recordSegmentRender } from '@portrait-farm/metrics';
import type { ClipLease } from './clip-cache.ts';
import { JobStepError } from './errors.ts';
import { jobWatermarkPayload } from './job-manifest.ts';
import type { EngineDeps } from './farm-deps.ts';
import type { StepOutcome } from './step-support.ts';
import { isProgressMilestone } from './progress-events.ts';
import { inStage } from './stage-run.ts';
import type { StageRun } from './stage-run.ts';
import { holdCancelSignal, jobFields, liveRecord, msSince, secondsSince, withTempDir } from './step-support.ts';
import { decodeRelay, encodeRelay } from './work-codec.ts';
import { workKeys } from './work-keys.ts';

/** Options of {@link processSegment}. */
export interface SegmentStepOptions {
  /** Resolves once the clip is in storage: segment i+1 (which may run in another process) is released only then. */
  clipStored?: Promise<void>;
}

/**
 * Segment i: its audio feature rows and motion (chained on relay i-1), relay i stored and segment i+1 released at
 * once, then its frames rendered and encoded into `chunks/{i}.ts`, a chunk of the live stream too (on the clip's
 * clock, with its slice of the audio; the stitch takes only its video). The step that completes the last missing chunk
 * releases the stitch. Every write is idempotent (same bytes, deterministic queue ids), so a retried or duplicated
 * step is harmless.
 */
export function processSegment(deps: EngineDeps, jobId: string, index: number, options: SegmentStepOptions = {}): Promise<StepOutcome> {
  return inStage(deps, jobId, 'segment', index, (run) => segmentStep(deps, jobId, index, options, run));
}

async function segmentStep(deps: EngineDeps, jobId: string, index: number, options: SegmentStepOptions, run: StageRun): Promise<StepOutcome> {
  const record = await liveRecord(deps, jobId);
  if (record === null) return 'skipped';
  const { signal, release } = await holdCancelSignal(deps, jobId);
  const chunkKey = jobStorageKeys.chunk(jobId, index);
  let lease: ClipLease | null = null;
  try {
    const leased = await deps.clips.lease(jobId);
    lease = leased;
    const { clip } = leased;
    const segment = clip.segments[index];
    if (segment === undefined) throw new JobStepError('FARM_MISSING_INPUT', `Job ${jobId} has ${clip.segments.length} segments; segment ${index} does not exist.`);
    const frames = segment.frameEnd - segment.frameStart;
    await run.start(clip.segments.length);
    let relay: SegmentRelay | null = null;
    if (index > 0) {
      const key = workKeys.relay(jobId, index - 1);
      if (!(await deps.storage.exists(key))) throw new JobStepError('FARM_MISSING_INPUT', `Relay ${key} of segment ${index - 1} is not in storage.`);
      relay = decodeRelay(await deps.storage.get(key));
    }
    const featuresStarted = performance.now();
    const features = await segmentFeatures(deps.engine, clip, segment);
    const featureSeconds = secondsSince(featuresStarted);
    const motionStarted = performance.now();
    const generated = await generateSegmentMotion(deps.engine, clip, segment, relay, features);
    const last = index === clip.segments.length - 1;
    if (signal.aborted) return 'canceled';
    if (!last) {
      await deps.storage.putIfAbsent(workKeys.relay(jobId, index), encodeRelay(generated.relay), { contentType: 'application/octet-stream' });
      await options.clipStored;
      const next = clip.segments[index + 1]!;
      await deps.queues.enqueueSegment(
        { jobId, segmentIndex: next.index, firstWindow: next.firstWindow, windowCount: next.windowCount, frameStart: next.frameStart, frameEnd: next.frameEnd },
        { priority: record.priority },
      );
    }
    await deps.jobs.addWorkSeconds(jobId, 'audio', featureSeconds);
    await deps.jobs.addWorkSeconds(jobId, 'motion', secondsSince(motionStarted));
    await deps.jobs.transition(jobId, 'rendering');
    const renderStarted = performance.now();
    if (!(await deps.storage.exists(chunkKey))) {
      const motion = segmentOutputMotion(deps.engine, clip, segment, relay, generated.motion);
      await withTempDir(deps, 'segment', async (dir) => {
        const out = join(dir, `${String(index).padStart(5, '0')}.ts`);
        // Every frame carries the job's invisible watermark (the payload the stitcher's manifest names), after the label.
        const watermark = { payload: jobWatermarkPayload(record), key: deps.watermarkKey ?? null };
        await leased.withPool((pool) => renderSegmentChunk(pool, clip, segment, motion, { out, signal, live: true, label: record.options.label === true, watermark }));
        if (signal.aborted) return;
        await deps.storage.putIfAbsent(chunkKey, { path: out }, { contentType: 'video/mp2t' });
      });
      const renderSeconds = secondsSince(renderStarted);
      await deps.jobs.addWorkSeconds(jobId, 'render', renderSeconds);
      if (deps.metrics !== undefined && !signal.aborted) recordSegmentRender(deps.metrics.segments, frames, renderSeconds);
    }
    if (signal.aborted) {
      await deps.storage.delete(chunkKey);
      return 'canceled';
    }
    run.frames = frames;
    const { segmentsDone } = await deps.jobs.reportSegment(jobId, index, frames, true);
    deps.logger.info(
      jobEvent('segment.rendered', { ...jobFields(record), segment: index, segments: clip.segments.length, segmentsDone, frames, durationMs: msSince(featuresStarted) }),
      'segment rendered',
    );
    if (isProgressMilestone(segmentsDone, clip.segments.length)) await deps.queues.notify(record, 'job.progress', segmentsDone);
    if (segmentsDone >= clip.segments.length) await deps.queues.enqueueStitch({ jobId }, { priority: record.priority });
    return 'done';
  } catch (error) {
    if (signal.aborted) {
      await deps.storage.delete(chunkKey).catch(() => {});
      return 'canceled';
    }
    throw error;
  } finally {
    lease?.release();
    release();
  }
}
