import { readFile, rm, writeFile } from 'node:fs/promises';
import { splitAdtsFrames } from './adts-frames.ts';
import { MediaError } from './errors.ts';
import { runTool } from './run-tool.ts';

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

/** Options of {@link encodeChunkAudio}. */
export interface ChunkAudioOptions {
  /** The whole clip's audio: mono samples in [-1, 1], or a reader of them (only the chunk's stretch is read). */
  samples: Float32Array | SampleReader;
  /** Their sample rate in Hz. */
  sampleRate: number;
  /** Where the chunk starts in the clip, in seconds. */
  startSeconds: number;
  /** The chunk's video duration in seconds (frames / fps): the audio lies within it. */
  durationSeconds: number;
  /** The ADTS file (.aac) to write, for {@link createVideoEncoder}'s `chunkAudio`. */
  out: string;
  /** Stops ffmpeg (MEDIA_ABORTED) when aborted. @defaultValue null */
  signal?: AbortSignal | null;
}

/** What {@link encodeChunkAudio} wrote; `frames` 0 (a chunk shorter than one AAC frame) writes no file. */
export interface ChunkAudio {
  out: string | null;
  frames: number;
  /** The audio's length: frames * 1024 / 48000. */
  durationSeconds: number;
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
 * Encodes a chunk's slice of the clip's audio for the live stream: the whole AAC frames that fit in the chunk's
 * video from its first instant, the first frame holding the audio at `startSeconds`. Chunks muxed with these play
 * one after another in sync; each ends with less than one frame (21.3 ms) of silence, because the chunk's audio must
 * not start before or end after its video (concatChunks then gives the final video the same bytes as from chunks
 * without sound). The encoder starts a few frames earlier on the audio before the chunk and those frames are dropped,
 * so the first frame is no encoder warm-up (priming) but the sound at the start.
 */
export async function encodeChunkAudio(options: ChunkAudioOptions): Promise<ChunkAudio> {
  const { samples, sampleRate, startSeconds, durationSeconds, out } = options;
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384_000) throw bad('sampleRate', 'an integer from 1000 to 384000 Hz', sampleRate);
  if (!(startSeconds >= 0)) throw bad('startSeconds', 'at least 0', startSeconds);
  if (!(durationSeconds > 0)) throw bad('durationSeconds', 'greater than 0', durationSeconds);
  if (!/\.aac$/i.test(out)) throw bad('out', 'an .aac (ADTS) file', out);
  const { sampleRate: rate, frameSamples } = CHUNK_AUDIO_SETTINGS;
  const frames = Math.floor(((durationSeconds - END_MARGIN_SECONDS) * rate) / frameSamples);
  if (frames < 1) return { out: null, frames: 0, durationSeconds: 0 };

  // Input samples: the lead-in before the start (a little more than LEAD_FRAMES, trimmed exactly after resampling),
  // the kept frames and two more (the encoder reads one frame ahead).
  const ratio = sampleRate / rate;
  const start = Math.round(startSeconds * sampleRate);
  const leadOut = LEAD_FRAMES * frameSamples;
  const leadIn = Math.ceil(leadOut * ratio) + 2;
  const input = await sliceWithSilence(samples, start - leadIn, leadIn + Math.ceil((frames + 2) * frameSamples * ratio));
  const trim = Math.round(leadIn / ratio) - leadOut;
  const pcm = `${out}.f32`;
  const all = `${out}.all.aac`;
  try {
    await writeFile(pcm, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
    await runTool(
      'ffmpeg',
      [
        '-nostdin', '-v', 'error', '-y',
        '-f', 'f32le', '-ar', String(sampleRate), '-ac', '1', '-i', pcm,
        '-af', `aresample=${rate},atrim=start_sample=${trim}`,
        '-c:a', CHUNK_AUDIO_SETTINGS.codec, '-b:a', CHUNK_AUDIO_SETTINGS.bitrate, '-ac', '1',
        '-f', 'adts', all,
      ],
      { code: 'MEDIA_ENCODE_FAILED', message: `Encoding the chunk audio ${out} failed` },
      options.signal ?? null,
    );
    // Frame 0 is the encoder's priming, then the lead-in frames; the next `frames` start at the chunk's start.
    const encoded = splitAdtsFrames(await readFile(all), all);
    const first = 1 + LEAD_FRAMES;
    if (encoded.length < first + frames) {
      throw new MediaError('MEDIA_ENCODE_FAILED', `Encoding the chunk audio ${out} gave ${encoded.length} AAC frames; expected at least ${first + frames}`);
    }
    await writeFile(out, Buffer.concat(encoded.slice(first, first + frames)));
    return { out, frames, durationSeconds: (frames * frameSamples) / rate };
  } finally {
    await Promise.all([rm(pcm, { force: true }), rm(all, { force: true })]);
  }
}
