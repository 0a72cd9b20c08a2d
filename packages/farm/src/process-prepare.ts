import { join } from 'node:path';
import { prepareClip, ProgressReporter, resolveRenderOptions } from '@portrait-farm/engine';
import type { JobPlan } from '@portrait-farm/jobs';
import type { EngineDeps } from './farm-deps.ts';
import { jobRenderOptions } from './job-render-options.ts';
import { download, holdCancelSignal, liveRecord, secondsSince, withTempDir } from './step-support.ts';
import { encodePreparedClip } from './work-codec.ts';
import { workKeys } from './work-keys.ts';

/** What a step did: ran, or skipped because the job had ended or was canceled. */
export type StepOutcome = 'done' | 'skipped' | 'canceled';

/**
 * The prepare step: inputs from storage, the engine's prepareClip (decode, mel peak, face, segment plan; no audio
 * features, each segment computes its own), the clip stored as `work/clip.bin`, the plan on the job record, and
 * segment 0 released.
 */
export async function processPrepare(deps: EngineDeps, jobId: string): Promise<StepOutcome> {
  const record = await liveRecord(deps, jobId);
  if (record === null) return 'skipped';
  await deps.jobs.transition(jobId, 'preparing');
  const { signal, release } = await holdCancelSignal(deps, jobId);
  try {
    const started = performance.now();
    const clip = await withTempDir(deps, 'prepare', async (dir) => {
      const [image, audio] = await Promise.all([
        download(deps, record.inputs.image.key, dir, 'image'),
        download(deps, record.inputs.audio.key, dir, 'audio'),
      ]);
      const options = resolveRenderOptions(jobRenderOptions(record.options, { image, audio, out: join(dir, 'unused.mp4'), pack: deps.packDir, signal }));
      const progress = new ProgressReporter(undefined);
      const prepared = await prepareClip(deps.engine, options, progress);
      for (const [stage, seconds] of Object.entries(progress.finish())) await deps.jobs.addWorkSeconds(jobId, stage, seconds);
      return prepared;
    });
    if (signal.aborted) return 'canceled';
    await deps.storage.put(workKeys.clip(jobId), encodePreparedClip(clip), { contentType: 'application/octet-stream' });
    await deps.clips.remember(jobId, clip);
    const plan: JobPlan = {
      fps: clip.fps,
      frameCount: clip.outputFrames,
      durationSeconds: clip.audioSeconds,
      segments: clip.segments.map((s) => ({ index: s.index, firstWindow: s.firstWindow, windowCount: s.windowCount, frameStart: s.frameStart, frameEnd: s.frameEnd })),
    };
    await deps.jobs.setPlan(jobId, plan);
    await deps.jobs.addWorkSeconds(jobId, 'prepare', secondsSince(started));
    if (signal.aborted) return 'canceled';
    const first = plan.segments[0]!;
    await deps.queues.enqueueSegment(
      { jobId, segmentIndex: 0, firstWindow: first.firstWindow, windowCount: first.windowCount, frameStart: first.frameStart, frameEnd: first.frameEnd },
      { priority: record.priority },
    );
    deps.log(`${jobId}: prepared ${plan.segments.length} segment(s), ${plan.frameCount} frames in ${secondsSince(started).toFixed(2)} s`);
    return 'done';
  } catch (error) {
    if (signal.aborted) return 'canceled';
    throw error;
  } finally {
    release();
  }
}
