import { writeFile } from 'node:fs/promises';
import { MediaError } from './errors.ts';

/**
 * The sound of chunks for the live stream (HLS): AAC-LC, mono, 48 kHz, so that one AAC frame (1024 samples) lasts
 * 21.3 ms. The final video does not use it: its audio is the original track, muxed once by concatChunks.
 */
export const CHUNK_AUDIO_SETTINGS = Object.freeze({
  codec: 'aac',
  sampleRate: 48_000,
  bitrate: '64k',
  frameSamples: 1024,
});

/** Frames encoded before the chunk's start and dropped: the encoder's first frames after priming are poor. */
const LEAD_FRAMES = 3;

/**
 * The audio ends at least this long before the chunk's video (ffmpeg's estimate of a chunk's video duration can be
 * a few microseconds short of frames/fps), so that the chunk's start and duration are its video's.
 */
const END_MARGIN_SECONDS = 0.001;

/** A clip's mono samples kept out of memory (a file, an object in storage), read by range. */
export interface SampleReader {
  readonly sampleCount: number;
  /** Samples [start, end), 0 <= start <= end <= sampleCount. */
  read(start: number, end: number): Promise<Float32Array>;
}

/** Options of {@link writeChunkSound}. */
export interface ChunkSoundOptions {
  /** The whole clip's audio: mono samples in [-1, 1], or a reader of them (only the chunk's stretch is read). */
  samples: Float32Array | SampleReader;
  /** Their sample rate in Hz. */
  sampleRate: number;
  /** Where the chunk starts in the clip, in seconds. */
  startSeconds: number;
  /** The chunk's video duration in seconds (frames / fps): the audio lies within it. */
  durationSeconds: number;
  /** The file (.f32) to write the chunk's stretch of samples to, for {@link createVideoEncoder}'s `chunkSound`. */
  out: string;
}

/**
 * A chunk's sound as the chunk's own ffmpeg encodes it (createVideoEncoder's `chunkSound`): raw samples in a file,
 * resampled and trimmed by `filter`, encoded, and the encoded frames outside the chunk dropped by `dropFrames`.
 */
export interface ChunkSound {
  /** The raw mono float32 samples (the chunk's stretch with a lead-in). */
  path: string;
  sampleRate: number;
  /** AAC frames of the chunk: the whole frames that fit in its video. */
  frames: number;
  /** Their length: frames * 1024 / 48000 seconds. */
  durationSeconds: number;
  /** The audio filter: to 48 kHz, from the lead-in's first kept sample, timestamps so that the chunk's start is 0. */
  filter: string;
  /** The AAC frames kept, as an expression of the noise bitstream filter's `drop` (n: the frame's number). */
  dropFrames: string;
}

function bad(name: string, allowed: string, value: unknown): MediaError {
  return new MediaError('MEDIA_BAD_OPTION', `${name} must be ${allowed}. Passed: ${String(value)}`);
}

/** `count` samples from `from` (which may lie before 0 or run past the end: silence there). */
async function sliceWithSilence(samples: Float32Array | SampleReader, from: number, count: number): Promise<Float32Array> {
  const slice = new Float32Array(count);
  const length = samples instanceof Float32Array ? samples.length : samples.sampleCount;
  const start = Math.max(0, from);
  const end = Math.min(length, from + count);
  if (end > start) slice.set(samples instanceof Float32Array ? samples.subarray(start, end) : await samples.read(start, end), start - from);
  return slice;
}

/**
 * Writes a chunk's slice of the clip's audio for the live stream and says how the chunk's ffmpeg encodes it: the
 * whole AAC frames that fit in the chunk's video from its first instant, the first frame holding the audio at
 * `startSeconds`. Chunks muxed with these play one after another in sync; each ends with less than one frame (21.3 ms)
 * of silence, because the chunk's audio must not start before or end after its video (concatChunks then gives the
 * final video the same bytes as from chunks without sound). The encoder starts a few frames earlier on the audio
 * before the chunk and those frames are dropped, so the first frame is no encoder warm-up (priming) but the sound at
 * the start. Null (nothing written) for a chunk shorter than one AAC frame.
 */
export async function writeChunkSound(options: ChunkSoundOptions): Promise<ChunkSound | null> {
  const { samples, sampleRate, startSeconds, durationSeconds, out } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384_000) throw bad('sampleRate', 'an integer from 1000 to 384000 Hz', sampleRate);
  if (!(startSeconds >= 0)) throw bad('startSeconds', 'at least 0', startSeconds);
  if (!(durationSeconds > 0)) throw bad('durationSeconds', 'greater than 0', durationSeconds);
  if (!/\.f32$/i.test(out)) throw bad('out', 'an .f32 (raw float32 samples) file', out);
  const { sampleRate: rate, frameSamples } = CHUNK_AUDIO_SETTINGS;
  const frames = Math.floor(((durationSeconds - END_MARGIN_SECONDS) * rate) / frameSamples);
  if (frames < 1) return null;

  // Input samples: the lead-in before the start (a little more than LEAD_FRAMES, trimmed exactly after resampling),
  // the kept frames and two more (the encoder reads one frame ahead).
  const ratio = sampleRate / rate;
  const start = Math.round(startSeconds * sampleRate);
  const leadOut = LEAD_FRAMES * frameSamples;
  const leadIn = Math.ceil(leadOut * ratio) + 2;
  const input = await sliceWithSilence(samples, start - leadIn, leadIn + Math.ceil((frames + 2) * frameSamples * ratio));
  const trim = Math.round(leadIn / ratio) - leadOut;
  await writeFile(out, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  // Encoded frame 0 is the encoder's priming, then the lead-in frames; the next `frames` start at the chunk's start,
  // at timestamp 0 once the lead-in's timestamps are before it.
  const first = 1 + LEAD_FRAMES;
  return {
    path: out,
    sampleRate,
    frames,
    durationSeconds: (frames * frameSamples) / rate,
    filter: `aresample=${rate},atrim=start_sample=${trim},asetpts=PTS-STARTPTS-${leadOut}/(${rate}*TB)`,
    dropFrames: `lt(n\\,${first})+gte(n\\,${first + frames})`,
  };
}

/** ffmpeg's input arguments for a chunk's sound (its raw samples file). */
export function chunkSoundInputArgs(sound: ChunkSound): string[] {
  return ['-f', 'f32le', '-ar', String(sound.sampleRate), '-ac', '1', '-i', sound.path];
}

/** ffmpeg's output arguments that encode a chunk's sound (mapped before them) and keep the chunk's frames. */
export function chunkSoundOutputArgs(sound: ChunkSound): string[] {
  const { codec, bitrate } = CHUNK_AUDIO_SETTINGS;
  return ['-af', sound.filter, '-c:a', codec, '-b:a', bitrate, '-ac', '1', '-bsf:a', `noise=drop=${sound.dropFrames}`];
}
