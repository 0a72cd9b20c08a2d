import { join } from 'node:path';
import { encodeAudioTrack } from '@portrait-farm/media';
import { isTerminal } from '@portrait-farm/jobs';
import type { JobRecord } from '@portrait-farm/jobs';
import type { FarmDeps } from './farm-deps.ts';
import type { StepOutcome } from './step-support.ts';
import { download, jobFields, liveRecord, msSince, secondsSince, withCancelSignal, withTempDir } from './step-support.ts';
import { workKeys } from './work-keys.ts';

/**
 * Encodes the job's input audio into `dir/audio.m4a` and stores it as `work/audio.m4a` (same bytes on a rerun);
 * `background`: at a low CPU priority, beside rendering.
 */
async function encodeAndStore(deps: FarmDeps, record: JobRecord, dir: string, signal: AbortSignal | null, background: boolean): Promise<string> {
  const input = await download(deps, record.inputs.audio.key, dir, 'input-audio');
  const path = join(dir, 'audio.m4a');
  await encodeAudioTrack(input, path, { signal, background });
  if (signal?.aborted !== true) await deps.storage.putIfAbsent(workKeys.audioTrack(record.id), { path }, { contentType: 'audio/mp4' });
  return path;
}

/** The final video's AAC track in `dir`: the audio step's when it is stored, else encoded here. */
export async function audioTrackIn(deps: FarmDeps, record: JobRecord, dir: string, signal: AbortSignal | null): Promise<string> {
  const key = workKeys.audioTrack(record.id);
  if (!(await deps.storage.exists(key))) return encodeAndStore(deps, record, dir, signal, false);
  const path = join(dir, 'audio.m4a');
  await deps.storage.getToFile(key, path);
  return path;
}

/**
 * The audio step, released once segment 0 is done and run by the stitcher while the other segments render: the
 * input audio encoded once, at a low CPU priority, into the final video's AAC track (`work/audio.m4a`), so that the
 * stitch only copies it. Encoding takes about 1/75 of the audio's length (8 s for 10 minutes), which would
 * otherwise all come after the last chunk.
 */
export async function processAudio(deps: FarmDeps, jobId: string): Promise<StepOutcome> {
  const record = await liveRecord(deps, jobId);
  if (record === null) return 'skipped';
  if (await deps.storage.exists(workKeys.audioTrack(jobId))) return 'done';
  return withCancelSignal(deps, jobId, async (signal) => {
    const started = performance.now();
    await withTempDir(deps, 'audio', (dir) => encodeAndStore(deps, record, dir, signal, true));
    if (signal.aborted) return 'canceled';
    // A stitch that encoded the track itself may have finished the job and removed its work files meanwhile.
    const now = await deps.jobs.getById(jobId);
    if (now === null || isTerminal(now.status)) {
      await deps.storage.delete(workKeys.audioTrack(jobId));
      return 'skipped';
    }
    await deps.jobs.addWorkSeconds(jobId, 'track', secondsSince(started));
    deps.logger.info({ ...jobFields(record), durationMs: msSince(started) }, 'sound track encoded');
    return 'done';
  });
}
