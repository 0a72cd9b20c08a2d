import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaError } from './errors.ts';
import { followFile } from './follow-file.ts';
import { probeMedia, type AudioStreamInfo, type MediaInfo } from './probe-media.ts';
import { describeExit, spawnTool } from './run-tool.ts';
import { SampleBuffer } from './sample-buffer.ts';
import { settleProbedDecode } from './settle-probed-decode.ts';

/** The shortest audio {@link decodeAudio} accepts by default, in seconds (the gateway refuses shorter at create). */
export const MIN_AUDIO_SECONDS = 0.5;

/** Options of {@link decodeAudio}. */
export interface DecodeAudioOptions {
  /**
   * Output sample rate in Hz (the audio is resampled by ffmpeg).
   * @defaultValue 16000
   */
  sampleRate?: number;
  /**
   * Shortest accepted result in seconds; shorter audio throws MEDIA_AUDIO_TOO_SHORT.
   * @defaultValue MIN_AUDIO_SECONDS (0.5)
   */
  minSeconds?: number;
  /**
   * Longest accepted file (or range) in seconds; longer throws MEDIA_AUDIO_TOO_LONG before decoding.
   * @defaultValue 3600
   */
  maxSeconds?: number;
  /**
   * Start of the range to return, in seconds. Ranges are cut from the same decode as the whole file
   * (the file is decoded from its beginning and samples before the range are dropped), so a range's
   * samples equal the matching slice of a full decode exactly.
   * @defaultValue 0
   */
  startSeconds?: number;
  /**
   * End of the range (exclusive), in seconds; null for the end of the file.
   * @defaultValue null
   */
  endSeconds?: number | null;
  /**
   * Stops decoding (MEDIA_ABORTED) when aborted.
   * @defaultValue null
   */
  signal?: AbortSignal | null;
  /**
   * Called as samples arrive with every sample decoded so far (a view; the values it holds never change), so work
   * on the beginning of the audio can start before the decode ends.
   * @defaultValue none
   */
  onSamples?: ((decoded: Float32Array) => void) | null;
  /**
   * The file's probe (`probeMedia(path, { countPackets: false })`) when the caller runs one itself: used instead of
   * running ffprobe a second time.
   * @defaultValue none (decodeAudio probes the file)
   */
  probe?: Promise<MediaInfo> | null;
  /**
   * Folder for the decode's scratch file (about 3.7 MiB per minute of audio at 16 kHz, removed when done): a farm
   * step gives its own scratch folder, so the file lands under PORTRAIT_FARM_TEMP_DIR.
   * @defaultValue the OS temp folder
   */
  scratchDir?: string | null;
}

export interface ResolvedDecodeAudioOptions {
  sampleRate: number;
  minSeconds: number;
  maxSeconds: number;
  startSeconds: number;
  endSeconds: number | null;
  signal: AbortSignal | null;
  onSamples: ((decoded: Float32Array) => void) | null;
  probe: Promise<MediaInfo> | null;
  scratchDir: string;
}

/** Mono float32 samples in [-1, 1]. */
export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: number;
  durationSeconds: number;
  /** The decoded stream as it is in the file. */
  source: Pick<AudioStreamInfo, 'codec' | 'sampleRate' | 'channels'>;
}

function badOption(name: string, allowed: string, value: unknown): MediaError {
  return new MediaError('MEDIA_BAD_OPTION', `${name} must be ${allowed}. Passed: ${String(value)}`);
}

export function resolveOptions(options: DecodeAudioOptions): ResolvedDecodeAudioOptions {
  const resolved: ResolvedDecodeAudioOptions = {
    sampleRate: options.sampleRate ?? 16000,
    minSeconds: options.minSeconds ?? MIN_AUDIO_SECONDS,
    maxSeconds: options.maxSeconds ?? 3600,
    startSeconds: options.startSeconds ?? 0,
    endSeconds: options.endSeconds ?? null,
    signal: options.signal ?? null,
    onSamples: options.onSamples ?? null,
    probe: options.probe ?? null,
    scratchDir: options.scratchDir ?? tmpdir(),
  };
  if (!Number.isInteger(resolved.sampleRate) || resolved.sampleRate < 1000 || resolved.sampleRate > 192000) {
    throw badOption('sampleRate', 'an integer between 1000 and 192000', resolved.sampleRate);
  }
  if (!(resolved.minSeconds >= 0)) throw badOption('minSeconds', 'at least 0', resolved.minSeconds);
  if (!(resolved.maxSeconds > resolved.minSeconds)) {
    throw badOption('maxSeconds', `greater than minSeconds (${resolved.minSeconds})`, resolved.maxSeconds);
  }
  if (!(resolved.startSeconds >= 0)) throw badOption('startSeconds', 'at least 0', resolved.startSeconds);
  if (resolved.endSeconds !== null && !(resolved.endSeconds > resolved.startSeconds)) {
    throw badOption('endSeconds', `greater than startSeconds (${resolved.startSeconds})`, resolved.endSeconds);
  }
  return resolved;
}

/**
 * How much longer than probed the audio may decode without the buffer growing: ffprobe's duration comes from the
 * container and can fall short of the decoded audio (a looped Ogg: 3599.0 s probed, 3602.3 s decoded). Under 1 %, so
 * that the result stays a view of the buffer, not a copy.
 */
const PROBE_MARGIN = 0.005;

/** Samples to hold before the probe says how long the audio is. */
const SECONDS_BEFORE_PROBE = 30;

/**
 * Decodes the first audio stream of any file ffmpeg reads to mono float32 at `sampleRate`, read as ffmpeg writes it
 * (to a scratch file, followed with one reused buffer) into one buffer sized from the probe. ffmpeg starts at once;
 * ffprobe checks the file meanwhile (no audio stream, too long) and ffmpeg is stopped if it refuses it.
 */
export async function decodeAudio(path: string, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const opts = resolveOptions(options);
  const scratch = await mkdtemp(join(opts.scratchDir, 'portrait-farm-audio-'));
  try {
    return await decodeVia(join(scratch, 'samples.f32'), path, opts);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function decodeVia(raw: string, path: string, opts: ResolvedDecodeAudioOptions): Promise<DecodedAudio> {
  const rate = opts.sampleRate;
  const skipSamples = Math.round(opts.startSeconds * rate);
  const limitSamples = opts.endSeconds === null ? Number.POSITIVE_INFINITY : Math.round(opts.endSeconds * rate) - skipSamples;
  const buffer = new SampleBuffer(Math.min(limitSamples, SECONDS_BEFORE_PROBE * rate), skipSamples, limitSamples);

  // The file exists before ffmpeg starts, so that it can be followed at once.
  await writeFile(raw, '');
  // 0:a:0 is the stream the probe calls `audio` (the first audio stream). -flush_packets 0 lets ffmpeg write its
  // output in large blocks rather than one write per packet.
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-vn', '-sn', '-dn'];
  args.push('-ac', '1', '-ar', String(rate), '-f', 'f32le', '-acodec', 'pcm_f32le', '-flush_packets', '0', '-y', raw);
  const proc = spawnTool('ffmpeg', args, { signal: opts.signal });
  const exited = proc.exited;
  exited.catch(() => {}); // awaited below, unless the probe refuses the file first
  let stoppedEarly = false;
  const probe = checkProbe(path, opts, buffer, limitSamples);
  let probed = false;
  const probeSettled = probe.then(
    () => (probed = true),
    () => (probed = true),
  );
  const reading = followFile(raw, exited, async (bytes) => {
    // ffmpeg goes on writing meanwhile: waiting for the probe's length spares growing the buffer by doubling, whose
    // outgrown copies (several times a long clip's samples) would stay in memory until a garbage collection.
    if (!probed && buffer.wouldGrow(bytes.length)) await probeSettled;
    buffer.push(bytes);
    opts.onSamples?.(buffer.decoded());
    if (!buffer.full) return true;
    stoppedEarly = true;
    proc.child.kill('SIGKILL');
    return false;
  });
  reading.catch(() => {}); // awaited below

  const { probed: source, code, signal: exitSignal } = await settleProbedDecode(proc, probe, reading);
  if (!stoppedEarly && code !== 0) {
    throw new MediaError(
      'MEDIA_DECODE_FAILED',
      `Decoding audio of ${path} failed: ${describeExit('ffmpeg', code, exitSignal, proc.stderrTail())}`,
    );
  }

  const samples = buffer.result();
  const durationSeconds = samples.length / rate;
  if (durationSeconds < opts.minSeconds) {
    const what = opts.startSeconds > 0 || opts.endSeconds !== null ? 'the requested range of the audio' : 'audio';
    throw new MediaError(
      'MEDIA_AUDIO_TOO_SHORT',
      `${path}: ${what} must be at least ${opts.minSeconds} s long. Passed: ${durationSeconds.toFixed(3)} s`,
    );
  }
  return {
    samples,
    sampleRate: rate,
    durationSeconds,
    source,
  };
}

/**
 * Probes the file: refuses it without an audio stream or longer than allowed, else sizes `buffer` (if any) for it (at most
 * `limitSamples`, the samples the range keeps).
 */
export async function checkProbe(path: string, opts: ResolvedDecodeAudioOptions, buffer: SampleBuffer | null, limitSamples: number): Promise<DecodedAudio['source']> {
  const info = await (opts.probe ?? probeMedia(path, { countPackets: false }));
  const stream = info.audio;
  if (stream === null) {
    throw new MediaError('MEDIA_NO_AUDIO', `${path} has no audio stream (streams: ${describeStreams(info.streams)})`);
  }
  const fileSeconds = stream.durationSeconds ?? info.durationSeconds;
  const rangeEnd = opts.endSeconds ?? fileSeconds;
  if (rangeEnd !== null && rangeEnd - opts.startSeconds > opts.maxSeconds) {
    throw new MediaError(
      'MEDIA_AUDIO_TOO_LONG',
      `${path}: audio must be at most ${opts.maxSeconds} s long. Passed: ${(rangeEnd - opts.startSeconds).toFixed(2)} s`,
    );
  }
  // The probed length plus PROBE_MARGIN and a second: the buffer still grows if the probe was short, but growing
  // copies it into one twice as large (a 60 min clip that decoded 3 s longer than probed held 4 times its samples).
  if (fileSeconds !== null && buffer !== null) {
    const rate = opts.sampleRate;
    buffer.reserve(Math.min(limitSamples, Math.max(0, fileSeconds - opts.startSeconds) * rate * (1 + PROBE_MARGIN) + rate));
  }
  return { codec: stream.codec, sampleRate: stream.sampleRate, channels: stream.channels };
}

function describeStreams(streams: ReadonlyArray<{ type: string; codec: string }>): string {
  return streams.length === 0 ? 'none' : streams.map((s) => `${s.type} ${s.codec}`).join(', ');
}
