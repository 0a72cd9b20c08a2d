import { MediaError } from './errors.ts';
import { feedFrames } from './frame-pipe.ts';
import { yuv420FrameBytes } from './rgb-to-yuv420.ts';
import { spawnTool } from './run-tool.ts';
import { rawFramesInputArgs, resolveVideoEncoderOptions, videoOutputArgs, type ResolvedVideoEncoderOptions } from './video-encoder.ts';

/** One chunk of a batch: its file (.ts or .mp4) and how many frames it takes. */
export interface BatchChunk {
  out: string;
  frames: number;
}

/** Options of {@link createChunkBatchEncoder}. */
export interface ChunkBatchEncoderOptions {
  /** The chunks, in the order their frames are written. */
  chunks: readonly BatchChunk[];
  /** Frame width in pixels (even). */
  width: number;
  /** Frame height in pixels (even). */
  height: number;
  /** Frames per second, 1 to 120. */
  fps: number;
  /** Aborting kills ffmpeg and removes every chunk of the batch. @defaultValue null */
  signal?: AbortSignal | null;
}

/** One ffmpeg encoding consecutive chunks; frames are written in order, each chunk's count in turn. */
export interface ChunkBatchEncoder {
  /** Sends the next frame (yuv420p, yuv420FrameBytes long); resolves once ffmpeg has taken it. Await each write. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin once every chunk's frames are written and waits for ffmpeg to complete the chunk files. */
  finish(): Promise<{ outs: string[]; frames: number }>;
  /** Kills ffmpeg and removes the partial chunks. */
  abort(): Promise<void>;
}

/**
 * Encodes several chunks in one ffmpeg process, each exactly as {@link createVideoEncoder} encodes it in chunk mode
 * from yuv420p frames (`colourConversion: 'yuv420pInput'`, no live timestamps or sound): the same bytes, since every
 * chunk has an x264 encoder of its own that starts at the chunk's first frame (split, then trimmed by frame number
 * and its timestamps started at 0). Starting one process instead of one per chunk saves the start-up of ffmpeg,
 * which links some 200 libraries (docs/performance.md, "One ffmpeg for a run of chunks"). ffmpeg completes the files
 * when it exits, so none of the batch is ready before {@link ChunkBatchEncoder.finish}; and every chunk's encoder
 * lives until then (some 30 MiB each at 512x512), so a batch should be a few chunks.
 */
export function createChunkBatchEncoder(options: ChunkBatchEncoderOptions): ChunkBatchEncoder {
  const { chunks, width, height, fps } = options;
  const signal = options.signal ?? null;
  if (chunks.length === 0) throw new MediaError('MEDIA_BAD_OPTION', 'chunks must name at least one chunk. Passed: none');
  for (const chunk of chunks) {
    if (!Number.isInteger(chunk.frames) || chunk.frames < 1) {
      throw new MediaError('MEDIA_BAD_OPTION', `chunks[].frames must be a positive integer. Passed: ${String(chunk.frames)} for ${chunk.out}`);
    }
  }
  if (new Set(chunks.map((chunk) => chunk.out)).size !== chunks.length) {
    throw new MediaError('MEDIA_BAD_OPTION', `chunks[].out must differ. Passed: ${chunks.map((chunk) => chunk.out).join(', ')}`);
  }
  const resolved: ResolvedVideoEncoderOptions[] = chunks.map((chunk) =>
    resolveVideoEncoderOptions({ out: chunk.out, width, height, fps, mode: 'chunk', colourConversion: 'yuv420pInput', signal }));
  const frameBytes = yuv420FrameBytes(width, height);
  const frameLimit = chunks.reduce((sum, chunk) => sum + chunk.frames, 0);
  const pipe = feedFrames(spawnTool('ffmpeg', batchArgs(resolved, chunks), { stdin: 'pipe', signal }), {
    describe: chunks.length === 1 ? chunks[0]!.out : `${chunks[0]!.out} and ${chunks.length - 1} more chunks`,
    outs: chunks.map((chunk) => chunk.out),
    frameBytes,
    badFrameMessage: (length) => `Frame must be ${width}x${height} yuv420p = ${frameBytes} bytes. Passed: ${length} bytes`,
    convert: null,
    durationSeconds: null,
    fps,
    frameLimit,
    signal,
  });
  return {
    write: (frame) => pipe.write(frame),
    finish: async () => ({ outs: chunks.map((chunk) => chunk.out), frames: await pipe.finish() }),
    abort: () => pipe.abort(),
  };
}

function batchArgs(resolved: readonly ResolvedVideoEncoderOptions[], chunks: readonly BatchChunk[]): string[] {
  const branches = chunks.map((_, k) => `[s${k}]`).join('');
  const trims: string[] = [];
  let start = 0;
  chunks.forEach((chunk, k) => {
    trims.push(`[s${k}]trim=start_frame=${start}:end_frame=${start + chunk.frames},setpts=PTS-STARTPTS[c${k}]`);
    start += chunk.frames;
  });
  return [
    ...rawFramesInputArgs(resolved[0]!),
    '-filter_complex', [`[0:v]split=${chunks.length}${branches}`, ...trims].join(';'),
    ...resolved.flatMap((o, k) => ['-map', `[c${k}]`, ...videoOutputArgs(o)]),
  ];
}
