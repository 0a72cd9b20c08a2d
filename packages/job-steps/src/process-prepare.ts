import { join } from 'node:path';
import { prepareClip, preparePortrait, ProgressReporter, resolveRenderOptions } from '@portrait-farm/engine';
import type { JobPlan } from '@portrait-farm/jobs';
import { jobEvent } from '@portrait-farm/logging';
import { avatarPortrait } from './avatar-portrait.ts';
import type { EngineDeps } from './farm-deps.ts';
import { jobRenderOptions } from './job-render-options.ts';
import { processSegment } from './process-segment.ts';
import { inStage } from './stage-run.ts';
import { download, holdCancelSignal, jobFields, liveRecord, msSince, secondsSince, withTempDir } from './step-support.ts';
import type { StepOutcome } from './step-support.ts';
import { clipAudioStream } from './stored-clip-audio.ts';
import { preparedClipStream } from './work-codec.ts';
import { workKeys } from './work-keys.ts';

/**
 * The prepare step: inputs from storage, the engine's prepareClip (decode, mel peak, face, segment plan; no audio
 * features, each segment computes its own) and the plan on the job record; then segment 0 runs here, from the clip
 * in memory, while the clip is stored as `work/clip.bin` for the workers of the other segments. Running segment 0
 * in the process that holds the clip keeps storing and reading the clip (which grows with the audio's length) and
 * a queue hop off the way to the first chunk. Then the audio step is released. A retried prepare runs segment 0
 * again, which is harmless (see processSegment).
 */
export async function processPrepare(deps: EngineDeps, jobId: string): Promise<StepOutcome> {
  const record = await liveRecord(deps, jobId);
  if (record === null) return 'skipped';
  await deps.jobs.transition(jobId, 'preparing');
  const { signal, release } = await holdCancelSignal(deps, jobId);
  const prepared: { storing?: Promise<void>; releaseClip?: () => void } = {};
  try {
    const outcome = await inStage(deps, jobId, 'prepare', null, async (run) => {
      await run.start();
      const started = performance.now();
      const clip = await withTempDir(deps, 'prepare', async (dir) => {
        const [image, audio] = await Promise.all([
          download(deps, record.inputs.image.key, dir, 'image'),
          download(deps, record.inputs.audio.key, dir, 'audio'),
        ]);
        const options = resolveRenderOptions(jobRenderOptions(record.options, { image, audio, out: join(dir, 'unused.mp4'), pack: deps.packDir, signal }));
        const progress = new ProgressReporter(undefined);
        // The samples file outlives this step's folder: segment 0 and the store below read it; the clip cache removes it.
        const avatar = record.inputs.avatar;
        // A job made from an avatar reads the face part of prepare from the avatar (made by the first job that needed it).
        const portrait = avatar === undefined ? {} : {
          portrait: () => avatarPortrait(deps, { tenantId: record.tenantId, avatarId: avatar.id }, options.mode, () =>
            preparePortrait(deps.engine, options.image, { faceIndex: options.faceIndex, faceBox: options.faceBox, mode: options.mode, log: options.log })),
        };
        const prepared = await prepareClip(deps.engine, options, progress, { scratchDir: deps.tempDir, ...portrait });
        for (const [stage, seconds] of Object.entries(progress.finish())) await deps.jobs.addWorkSeconds(jobId, stage, seconds);
        return prepared;
      });
      if (signal.aborted) {
        await clip.audio.release();
        return 'canceled';
      }
      // The samples first: a segment step that finds clip.bin finds them too.
      const storing = deps.storage
        .put(workKeys.samples(jobId), clipAudioStream(clip.audio), { contentType: 'application/octet-stream' })
        .then(() => deps.storage.put(workKeys.clip(jobId), preparedClipStream(clip), { contentType: 'application/octet-stream' }));
      prepared.storing = storing;
      storing.catch(() => {}); // awaited below and before segment 1 is released
      prepared.releaseClip = await deps.clips.remember(jobId, clip);
      const plan: JobPlan = {
        pack: { name: deps.engine.pack.name, version: deps.engine.pack.version },
        fps: clip.fps,
        frameCount: clip.outputFrames,
        durationSeconds: clip.audioSeconds,
        segments: clip.segments.map((s) => ({ index: s.index, firstWindow: s.firstWindow, windowCount: s.windowCount, frameStart: s.frameStart, frameEnd: s.frameEnd })),
      };
      await deps.jobs.setPlan(jobId, plan);
      await deps.jobs.addWorkSeconds(jobId, 'prepare', secondsSince(started));
      deps.logger.info(
        jobEvent('job.prepared', {
          ...jobFields(record),
          segments: plan.segments.length,
          frames: plan.frameCount,
          videoSeconds: plan.durationSeconds,
          durationMs: msSince(started),
        }),
        'job prepared',
      );
      return 'done';
    });
    const storing = prepared.storing;
    if (outcome !== 'done' || storing === undefined) return outcome;
    if (signal.aborted) return 'canceled';
    const first = await processSegment(deps, jobId, 0, { clipStored: storing });
    await storing;
    // After segment 0, so that encoding the sound track never delays the first chunk.
    if (first === 'done') await deps.queues.enqueueAudio({ jobId }, { priority: record.priority });
    return first;
  } catch (error) {
    if (signal.aborted) return 'canceled';
    throw error;
  } finally {
    await prepared.storing?.catch(() => {});
    prepared.releaseClip?.();
    release();
  }
}
