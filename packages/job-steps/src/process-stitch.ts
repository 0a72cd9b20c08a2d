import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { jobStorageKeys } from '@portrait-farm/jobs';
import type { JobError } from '@portrait-farm/jobs';
import { jobEvent } from '@portrait-farm/logging';
import { concatChunks, probeMedia } from '@portrait-farm/media';
import { recordJobEnd } from '@portrait-farm/metrics';
import { signVideoAndHash } from '@portrait-farm/provenance';
import type { SigningKey } from '@portrait-farm/provenance';
import { JobStepError } from './errors.ts';
import { jobManifestDraft } from './job-manifest.ts';
import { audioTrackIn } from './process-audio.ts';
import type { FarmDeps } from './farm-deps.ts';
import type { StepOutcome } from './step-support.ts';
import { liveStreamKeptMs } from './live-stream-cleanup.ts';
import { inStage } from './stage-run.ts';
import { deleteIntermediates, deleteWorkFiles, download, jobFields, liveRecord, msSince, secondsSince, withCancelSignal, withTempDir } from './step-support.ts';

/** Downloads running at once: a long clip has hundreds of chunks, and S3 answers each GET with some delay. */
const PARALLEL_DOWNLOADS = 8;

/** Downloads the objects into `dir`, a few at a time; the local paths, in the order given. */
async function downloadAll(deps: FarmDeps, objects: ReadonlyArray<{ key: string; name: string }>, dir: string): Promise<string[]> {
  const paths: string[] = new Array<string>(objects.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < objects.length) {
      const i = next++;
      paths[i] = await download(deps, objects[i]!.key, dir, objects[i]!.name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DOWNLOADS, objects.length) }, lane));
  return paths;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of createReadStream(path)) hash.update(part as Buffer);
  return hash.digest('hex');
}

/** Options of {@link processStitch}. */
export interface StitchStepOptions {
  /**
   * How long the chunks (the live stream a player may still be reading) stay once the clip's own length has passed
   * since success, in seconds (PORTRAIT_FARM_LIVE_GRACE_SECONDS).
   * @defaultValue 0
   */
  liveGraceSeconds?: number;
  /**
   * Signs each video's provenance manifest (PORTRAIT_FARM_SIGNING_KEY): appended to the MP4 as a uuid box and stored
   * beside it as `output.manifest.json`. Null: videos are not signed.
   * @defaultValue null
   */
  signingKey?: SigningKey | null;
}

/**
 * The stitch step: every chunk in order joined without re-encoding and muxed with the audio step's AAC track (the
 * engine's concatChunks, exactly as renderClip does; encoded here if the audio step has not stored it), the MP4
 * stored, the job succeeded, work files deleted, the job.succeeded webhook queued. The chunks stay: the live
 * playlist, ended, still lists them for players reading it, until the delayed cleanup step removes them (the clip's
 * length plus `liveGraceSeconds` after success).
 */
export async function processStitch(deps: FarmDeps, jobId: string, options: StitchStepOptions = {}): Promise<StepOutcome> {
  const record = await liveRecord(deps, jobId);
  if (record === null) return 'skipped';
  const plan = record.plan;
  if (plan === null) throw new JobStepError('FARM_MISSING_INPUT', `Job ${jobId} has no segment plan; it cannot be stitched before prepare.`);
  await deps.jobs.transition(jobId, 'stitching');
  return inStage(deps, jobId, 'stitch', null, (run) => withCancelSignal(deps, jobId, async (signal) => {
    await run.start();
    const started = performance.now();
    const output = await withTempDir(deps, 'stitch', async (dir) => {
      const [chunks, track] = await Promise.all([
        downloadAll(deps, plan.segments.map((segment) => ({ key: jobStorageKeys.chunk(jobId, segment.index), name: `chunk-${segment.index}` })), dir),
        audioTrackIn(deps, record, dir, signal),
      ]);
      const out = join(dir, 'output.mp4');
      await concatChunks(chunks, track, out, { signal, audioIsTrack: true });
      const signingKey = options.signingKey ?? null;
      let signedSha256: string | null = null;
      if (signingKey !== null) {
        const { signed, fileSha256 } = await signVideoAndHash(out, jobManifestDraft(record), signingKey);
        signedSha256 = fileSha256;
        await deps.storage.put(jobStorageKeys.manifest(jobId), Buffer.from(`${JSON.stringify(signed, null, 2)}\n`), { contentType: 'application/json' });
      }
      const [info, size, sha256] = await Promise.all([probeMedia(out), stat(out).then((s) => s.size), signedSha256 ?? sha256File(out)]);
      const key = jobStorageKeys.output(jobId);
      await deps.storage.put(key, { path: out }, { contentType: 'video/mp4' });
      return { key, size, sha256, durationSeconds: info.durationSeconds ?? plan.durationSeconds };
    });
    if (signal.aborted) return 'canceled';
    await deps.jobs.addWorkSeconds(jobId, 'stitch', secondsSince(started));
    await run.done();
    const result = await deps.jobs.succeed(jobId, output);
    if (!result.applied) return 'skipped';
    deps.logger.info(
      jobEvent('job.succeeded', {
        ...jobFields(record),
        videoSeconds: output.durationSeconds,
        bytes: output.size,
        durationMs: msSince(started),
        jobMs: Math.max(0, Date.now() - record.createdAt.getTime()),
      }),
      'job succeeded',
    );
    await deleteWorkFiles(deps, jobId);
    const keptMs = liveStreamKeptMs(plan.durationSeconds, options.liveGraceSeconds ?? 0);
    await deps.queues.enqueueCleanup({ jobId }, { delayMs: keptMs, priority: record.priority });
    const finished = await deps.jobs.getById(jobId);
    if (deps.metrics !== undefined) recordJobEnd(deps.metrics.jobs, 'succeeded', finished?.timings ?? null);
    if (finished !== null) await deps.queues.notify(finished, 'job.succeeded');
    return 'done';
  }));
}

/** The job fails (a step ran out of retries or cannot succeed): record, intermediates deleted, job.failed queued. */
export async function failJob(deps: FarmDeps, jobId: string, error: JobError): Promise<boolean> {
  const result = await deps.jobs.fail(jobId, error);
  if (!result.applied) return false;
  if (deps.metrics !== undefined) recordJobEnd(deps.metrics.jobs, 'failed', null);
  const record = await deps.jobs.getById(jobId);
  deps.logger.error(
    jobEvent('job.failed', { ...(record === null ? { jobId } : jobFields(record)), code: error.code, err: { code: error.code, message: error.message } }),
    'job failed',
  );
  if (record !== null) {
    await deps.queues.discardSteps(jobId, record.plan?.segments.length ?? 0);
    await deps.queues.notify(record, 'job.failed');
  }
  await deleteIntermediates(deps, jobId);
  return true;
}
