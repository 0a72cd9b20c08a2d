import { existsSync } from 'node:fs';
import { aacAudioArgs, checkPreset, COLOUR_CONVERSIONS, containerArgs, H264_SETTINGS, x264VideoArgs, type ColourConversion, type X264Preset } from './encoder-settings.ts';
import { chunkSoundInputArgs, chunkSoundOutputArgs, type ChunkSound } from './chunk-sound.ts';
import { MediaError } from './errors.ts';
import { yuv420FrameBytes } from './rgb-to-yuv420.ts';
import { createYuv420Converter, type Yuv420Converter } from './yuv420-converter.ts';
import { feedFrames } from './frame-pipe.ts';
import { spawnTool } from './run-tool.ts';

/** Options of {@link createVideoEncoder}. */
export interface VideoEncoderOptions {
  /** Output file; the container follows the extension (.mp4 for final videos; .mp4 or .ts for chunks). */
  out: string;
  /** Frame width in pixels (even). */
  width: number;
  /** Frame height in pixels (even). */
  height: number;
  /** Frames per second, 1 to 120. */
  fps: number;
  /**
   * `final`: a whole clip, muxed with `audio` (AAC encoded once from the original file).
   * `chunk`: starting on an IDR frame, for joining with {@link concatChunks}; video only unless `chunkSound`.
   * @defaultValue 'final'
   */
  mode?: 'final' | 'chunk';
  /**
   * The original audio file to mux (final mode only).
   * @defaultValue null (no audio)
   */
  audio?: { path: string } | null;
  /**
   * Chunk mode: where the chunk starts in the clip, in seconds. Its timestamps then start there (rounded to 0.1 ms;
   * ffmpeg's MPEG-TS muxer adds the same 1.4 s to every chunk), so that chunks played one after another (the live
   * HLS stream) run on one clock. {@link concatChunks} gives the same video whatever it is: whole 0.1 ms keep its
   * arithmetic exact. Null: ffmpeg's own timestamps, which start every chunk at the same time.
   * @defaultValue null
   */
  startSeconds?: number | null;
  /**
   * Chunk mode: the chunk's sound for the live stream, from {@link writeChunkSound} (it starts with the chunk and ends
   * within it), encoded by this ffmpeg. {@link concatChunks} takes only the chunks' video.
   * @defaultValue null (video only)
   */
  chunkSound?: ChunkSound | null;
  /**
   * x264 constant rate factor, 0 to 51 (lower is better). Chunks of one video must share it.
   * @defaultValue H264_SETTINGS.crf
   */
  crf?: number;
  /**
   * x264 preset. Chunks of one video must share it.
   * @defaultValue H264_SETTINGS.preset
   */
  preset?: X264Preset;
  /**
   * x264 B-frames, 0 to 16. Chunks of one video must share it.
   * @defaultValue H264_SETTINGS.bFrames
   */
  bFrames?: number;
  /**
   * x264 threads, 1 to 16 (x264's output depends on them). Chunks of one video must share it.
   * @defaultValue H264_SETTINGS.threads
   */
  threads?: number;
  /**
   * x264 options over the preset's (`key=value:key=value`). Chunks of one video must share them.
   * @defaultValue H264_SETTINGS.x264Tuning
   */
  x264Tuning?: string;
  /**
   * Where the frames become yuv420p (the bytes differ): ffmpeg's scale filter (RGB24 written), rgbToYuv420's
   * conversion in this process before the pipe (RGB24 written), or before `write` (`yuv420pInput`: yuv420p written,
   * yuv420FrameBytes long). Chunks of one video must share it.
   * @defaultValue H264_SETTINGS.colourConversion
   */
  colourConversion?: ColourConversion;
  /**
   * Cut the output (video and audio) at this many seconds; null keeps every frame written and the whole audio.
   * With `ceil(audioSeconds * fps)` frames written the output already matches the audio within one frame.
   * @defaultValue null
   */
  durationSeconds?: number | null;
  /**
   * Aborting kills ffmpeg and removes the partial output, like {@link VideoEncoder.abort}; pending and later
   * calls reject with MEDIA_ABORTED.
   * @defaultValue null
   */
  signal?: AbortSignal | null;
}

export interface ResolvedVideoEncoderOptions {
  out: string;
  width: number;
  height: number;
  fps: number;
  mode: 'final' | 'chunk';
  audioPath: string | null;
  startSeconds: number | null;
  chunkSound: ChunkSound | null;
  crf: number;
  preset: X264Preset;
  bFrames: number;
  threads: number;
  x264Tuning: string;
  colourConversion: ColourConversion;
  durationSeconds: number | null;
  signal: AbortSignal | null;
}

/** An ffmpeg process fed with raw frames on stdin (RGB24, or yuv420p converted here or before: see colourConversion). */
export interface VideoEncoder {
  /** Sends one frame (width*height*3 bytes, RGB24, row-major; with `yuv420pInput` a yuv420p frame); resolves once
   * ffmpeg has taken it, so the caller may then reuse the buffer. Await each write: that is the backpressure. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg to finish the file. */
  finish(): Promise<{ out: string; frames: number }>;
  /** Kills ffmpeg and removes the partial output. */
  abort(): Promise<void>;
}

function bad(name: string, allowed: string, value: unknown): MediaError {
  return new MediaError('MEDIA_BAD_OPTION', `${name} must be ${allowed}. Passed: ${String(value)}`);
}

export function resolveVideoEncoderOptions(options: VideoEncoderOptions): ResolvedVideoEncoderOptions {
  const mode = options.mode ?? 'final';
  const resolved: ResolvedVideoEncoderOptions = {
    out: options.out,
    width: options.width,
    height: options.height,
    fps: options.fps,
    mode,
    audioPath: options.audio?.path ?? null,
    startSeconds: options.startSeconds ?? null,
    chunkSound: options.chunkSound ?? null,
    crf: options.crf ?? H264_SETTINGS.crf,
    preset: checkPreset(options.preset ?? H264_SETTINGS.preset),
    bFrames: options.bFrames ?? H264_SETTINGS.bFrames,
    threads: options.threads ?? H264_SETTINGS.threads,
    x264Tuning: options.x264Tuning ?? H264_SETTINGS.x264Tuning,
    colourConversion: options.colourConversion ?? H264_SETTINGS.colourConversion,
    durationSeconds: options.durationSeconds ?? null,
    signal: options.signal ?? null,
  };
  for (const key of ['width', 'height'] as const) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 16 || value > 8192 || value % 2 !== 0) {
      throw bad(key, 'an even integer between 16 and 8192 (yuv420p)', value);
    }
  }
  if (!(resolved.fps >= 1 && resolved.fps <= 120)) throw bad('fps', 'between 1 and 120', resolved.fps);
  if (!Number.isInteger(resolved.crf) || resolved.crf < 0 || resolved.crf > 51) {
    throw bad('crf', 'an integer between 0 and 51 for libx264', resolved.crf);
  }
  if (!Number.isInteger(resolved.bFrames) || resolved.bFrames < 0 || resolved.bFrames > 16) {
    throw bad('bFrames', 'an integer between 0 and 16', resolved.bFrames);
  }
  if (!Number.isInteger(resolved.threads) || resolved.threads < 1 || resolved.threads > 16) {
    throw bad('threads', 'an integer between 1 and 16', resolved.threads);
  }
  if (!/^([a-z0-9-]+=[a-z0-9.,-]+(:|$))*$/i.test(resolved.x264Tuning)) {
    throw bad('x264Tuning', "x264 options as 'key=value:key=value'", resolved.x264Tuning);
  }
  if (!COLOUR_CONVERSIONS.includes(resolved.colourConversion)) {
    throw bad('colourConversion', COLOUR_CONVERSIONS.map((c) => `'${c}'`).join(', '), resolved.colourConversion);
  }
  if (resolved.durationSeconds !== null && !(resolved.durationSeconds > 0)) {
    throw bad('durationSeconds', 'greater than 0', resolved.durationSeconds);
  }
  if (mode === 'chunk' && resolved.audioPath !== null) {
    throw bad('audio', 'absent in chunk mode (concatChunks muxes the original audio once)', resolved.audioPath);
  }
  if (mode !== 'chunk' && (resolved.startSeconds !== null || resolved.chunkSound !== null)) {
    throw bad(resolved.chunkSound !== null ? 'chunkSound' : 'startSeconds', 'absent in final mode (chunk mode only)', resolved.chunkSound?.path ?? resolved.startSeconds);
  }
  if (resolved.startSeconds !== null && !(resolved.startSeconds >= 0 && resolved.startSeconds <= 604_800)) {
    throw bad('startSeconds', 'between 0 and 604800', resolved.startSeconds);
  }
  for (const path of [resolved.audioPath, resolved.chunkSound?.path ?? null]) {
    if (path !== null && !existsSync(path)) throw new MediaError('MEDIA_FILE_MISSING', `Audio file not found: ${path}`);
  }
  return resolved;
}

/** ffmpeg's input arguments for raw frames on stdin as `o` writes them. */
export function rawFramesInputArgs(o: ResolvedVideoEncoderOptions): string[] {
  const inputFormat = o.colourConversion === 'ffmpeg' ? 'rgb24' : 'yuv420p';
  return ['-nostdin', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', inputFormat, '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0'];
}

/** ffmpeg's arguments for the output `o.out` of the video mapped before them (and the audio input 1, if any). */
export function videoOutputArgs(o: ResolvedVideoEncoderOptions): string[] {
  const args = x264VideoArgs(o.fps, { preset: o.preset, crf: o.crf, bFrames: o.bFrames, threads: o.threads, tune: null, tuning: o.x264Tuning }, o.colourConversion);
  if (o.mode === 'chunk') args.push('-force_key_frames', '0');
  if (o.audioPath !== null) args.push(...aacAudioArgs());
  if (o.chunkSound !== null) args.push(...chunkSoundOutputArgs(o.chunkSound));
  if (o.durationSeconds !== null) args.push('-t', o.durationSeconds.toFixed(6));
  if (o.startSeconds !== null) {
    // Without this ffmpeg moves a chunk that starts before the B-frame delay (the first) later by that delay.
    args.push('-avoid_negative_ts', 'disabled');
    // Played one after another, chunks muxed apart break MPEG-TS continuity counters: the discontinuity indicator on
    // each stream's first packet says so (else a demuxer reading on flags each chunk's last frame corrupt).
    if (/\.ts$/i.test(o.out)) args.push('-mpegts_flags', '+initial_discontinuity');
    // 0.1 ms is 9 ticks of MPEG-TS's 90 kHz clock and 100 of ffmpeg's microseconds: both hold it exactly.
    if (o.startSeconds > 0) args.push('-output_ts_offset', (Math.round(o.startSeconds * 10_000) / 10_000).toFixed(4));
  }
  args.push(...containerArgs(o.out), o.out);
  return args;
}

function encoderArgs(o: ResolvedVideoEncoderOptions): string[] {
  const audioInput = o.audioPath !== null ? ['-i', o.audioPath] : o.chunkSound !== null ? chunkSoundInputArgs(o.chunkSound) : [];
  return [
    ...rawFramesInputArgs(o),
    ...audioInput,
    '-map', '0:v:0',
    ...(audioInput.length === 0 ? [] : ['-map', '1:a:0']),
    ...videoOutputArgs(o),
  ];
}

/** Starts ffmpeg encoding raw RGB frames written to it into H.264 with {@link H264_SETTINGS}. */
export function createVideoEncoder(options: VideoEncoderOptions): VideoEncoder {
  const o = resolveVideoEncoderOptions(options);
  const yuvInput = o.colourConversion === 'yuv420pInput';
  const frameBytes = yuvInput ? yuv420FrameBytes(o.width, o.height) : o.width * o.height * 3;
  const converter: Yuv420Converter | null = o.colourConversion === 'rgbToYuv420' ? createYuv420Converter(o.width, o.height) : null;
  const pipe = feedFrames(spawnTool('ffmpeg', encoderArgs(o), { stdin: 'pipe', signal: o.signal }), {
    describe: o.out,
    outs: [o.out],
    frameBytes,
    badFrameMessage: (length) => yuvInput
      ? `Frame must be ${o.width}x${o.height} yuv420p = ${frameBytes} bytes. Passed: ${length} bytes`
      : `Frame must be ${o.width}x${o.height}x3 = ${frameBytes} bytes of RGB24. Passed: ${length} bytes`,
    convert: converter === null ? null : (frame, into) => converter.convert(frame, into ?? new Uint8Array(yuv420FrameBytes(o.width, o.height))),
    durationSeconds: o.durationSeconds,
    fps: o.fps,
    frameLimit: null,
    signal: o.signal,
  });
  return {
    write: (frame) => pipe.write(frame),
    finish: async () => ({ out: o.out, frames: await pipe.finish() }),
    abort: () => pipe.abort(),
  };
}
