import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { aacAudioArgs, containerArgs } from './encoder-settings.ts';
import { MediaError } from './errors.ts';
import { h264ParameterDigest } from './h264-parameter-sets.ts';
import { probeMedia } from './probe-media.ts';
import { runTool } from './run-tool.ts';

/** Options of {@link concatChunks}. */
export interface ConcatChunksOptions {
  /**
   * Cut the result (video and audio) at this many seconds; null keeps all chunk frames and the whole audio.
   * @defaultValue null
   */
  durationSeconds?: number | null;
  /**
   * The audio file is an AAC track from {@link encodeAudioTrack}: it is copied as it is, not encoded. The result
   * has the same audio packets as when the original file is given, and the join is quick whatever the length.
   * @defaultValue false
   */
  audioIsTrack?: boolean;
  /**
   * Stops ffmpeg (MEDIA_ABORTED) when aborted.
   * @defaultValue null
   */
  signal?: AbortSignal | null;
}

function quoteForConcatList(path: string): string {
  return `'${resolve(path).replaceAll("'", "'\\''")}'`;
}

/**
 * Joins H.264 chunks made by a chunk-mode encoder without re-encoding (`-c:v copy`, concat demuxer) and muxes
 * AAC encoded once from the original audio file, or copied from a track encoded beforehand (`audioIsTrack`), or
 * no audio (null).
 */
export async function concatChunks(
  chunkPaths: readonly string[],
  audioPath: string | null,
  out: string,
  options: ConcatChunksOptions = {},
): Promise<{ out: string }> {
  if (chunkPaths.length === 0) {
    throw new MediaError('MEDIA_BAD_OPTION', 'chunkPaths must name at least one chunk. Passed: []');
  }
  for (const path of [...chunkPaths, ...(audioPath === null ? [] : [audioPath])]) {
    if (!existsSync(path)) throw new MediaError('MEDIA_FILE_MISSING', `Media file not found: ${path}`);
  }
  const durationSeconds = options.durationSeconds ?? null;
  if (durationSeconds !== null && !(durationSeconds > 0)) {
    throw new MediaError('MEDIA_BAD_OPTION', `durationSeconds must be greater than 0. Passed: ${durationSeconds}`);
  }
  await checkSameStreamParameters(chunkPaths);
  const dir = await mkdtemp(join(tmpdir(), 'pf-concat-'));
  try {
    const list = join(dir, 'chunks.txt');
    await writeFile(list, chunkPaths.map((p) => `file ${quoteForConcatList(p)}\n`).join(''));
    // auto_convert 0: pass packets through untouched (the chunks share one set of stream parameters), so the
    // joined stream is byte-for-byte the chunks' packets.
    const args = ['-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-auto_convert', '0', '-i', list];
    if (audioPath !== null) args.push('-i', audioPath);
    args.push('-map', '0:v:0');
    if (audioPath !== null) args.push('-map', '1:a:0');
    args.push('-c:v', 'copy');
    if (audioPath !== null) args.push(...(options.audioIsTrack === true ? ['-c:a', 'copy'] : aacAudioArgs()));
    if (durationSeconds !== null) args.push('-t', durationSeconds.toFixed(6));
    args.push(...containerArgs(out), out);
    await runTool('ffmpeg', args, {
      code: 'MEDIA_CONCAT_FAILED',
      message: `Joining ${chunkPaths.length} chunks into ${out} failed`,
    }, options.signal ?? null);
    return { out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stream copy only works when every chunk has the first chunk's codec, size and parameter sets. The H.264 parameter
 * sets are read from the files themselves; ffprobe looks only when they cannot be read that way or differ, to say
 * what differs (one ffprobe per chunk would take most of the join: 77 ms each).
 */
async function checkSameStreamParameters(chunkPaths: readonly string[]): Promise<void> {
  const digests: Array<string | null> = [];
  for (const path of chunkPaths) digests.push(await h264ParameterDigest(path));
  if (digests[0] !== null && digests.every((d) => d === digests[0])) return;
  let first: { path: string; key: string } | null = null;
  for (const path of chunkPaths) {
    const video = (await probeMedia(path, { countPackets: false })).video;
    if (video === null) throw new MediaError('MEDIA_NO_VIDEO', `Chunk ${path} has no video stream`);
    const key = `${video.codec} ${video.width}x${video.height} ${video.pixelFormat ?? '?'} ${video.extradataHash ?? 'no-extradata'}`;
    if (first === null) {
      first = { path, key };
    } else if (key !== first.key) {
      throw new MediaError(
        'MEDIA_CONCAT_FAILED',
        `Chunk ${path} was encoded with other stream parameters than ${first.path} (${key} vs ${first.key}); ` +
          'encode every chunk with the same size and H264_SETTINGS',
      );
    }
  }
}
