import { MediaError } from './errors.ts';
import { probeMedia } from './probe-media.ts';
import { describeExit, spawnTool } from './run-tool.ts';

/** Decoded RGB24 frames of a video. */
export interface VideoFrames {
  width: number;
  height: number;
  /** The frame indices returned, ascending, matching `frames`. */
  indices: number[];
  /** One width*height*3 RGB24 buffer per index. */
  frames: Uint8Array[];
}

/**
 * Decodes a video to RGB24 and returns the frames at `indices` (0-based, in decode order; all frames when
 * omitted). Decoding stops after the last requested frame.
 */
export async function readVideoFrames(
  path: string,
  indices?: readonly number[],
  signal?: AbortSignal,
): Promise<VideoFrames> {
  const info = await probeMedia(path, { countPackets: false });
  const video = info.video;
  if (video === null) throw new MediaError('MEDIA_NO_VIDEO', `${path} has no video stream`);
  const { width, height } = video;
  const wanted = indices === undefined ? null : [...new Set(indices)].sort((a, b) => a - b);
  if (wanted !== null && wanted.some((i) => !Number.isInteger(i) || i < 0)) {
    throw new MediaError('MEDIA_BAD_OPTION', `indices must be integers >= 0. Passed: ${wanted.join(',')}`);
  }
  const last = wanted === null ? Number.POSITIVE_INFINITY : (wanted[wanted.length - 1] ?? -1);
  const wantedSet = wanted === null ? null : new Set(wanted);
  const frameBytes = width * height * 3;
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', `0:${video.index}`, '-vsync', 'passthrough'];
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const proc = spawnTool('ffmpeg', args, { signal: signal ?? null });

  const result: VideoFrames = { width, height, indices: [], frames: [] };
  let current = new Uint8Array(frameBytes);
  let filled = 0;
  let index = 0;
  let stopped = last < 0;
  if (stopped) proc.child.kill('SIGKILL');
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (!stopped && offset < chunk.length) {
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        if (wantedSet === null || wantedSet.has(index)) {
          result.indices.push(index);
          result.frames.push(current);
          current = new Uint8Array(frameBytes);
        }
        filled = 0;
        index += 1;
        if (index > last) {
          stopped = true;
          proc.child.stdout?.destroy();
          proc.child.kill('SIGKILL');
        }
      }
    }
  });
  const { code, signal: exitSignal } = await proc.exited;
  if (!stopped && code !== 0) {
    const why = describeExit('ffmpeg', code, exitSignal, proc.stderrTail());
    throw new MediaError('MEDIA_DECODE_FAILED', `Decoding video of ${path} failed: ${why}`);
  }
  if (wanted !== null && result.indices.length < wanted.length) {
    const missing = wanted.filter((i) => !result.indices.includes(i));
    throw new MediaError(
      'MEDIA_BAD_OPTION',
      `${path} has ${index} frames; frame indices ${missing.join(',')} do not exist`,
    );
  }
  return result;
}
