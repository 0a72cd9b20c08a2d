import { Readable } from 'node:stream';
import { type ClipAudio, rangeReadClipAudio } from '@portrait-farm/engine';
import type { ObjectStorage } from '@portrait-farm/storage';
import { JobStepError } from './errors.ts';

/** Samples per read when a clip's samples are copied into storage (1 MiB). */
const STORE_STRETCH = 1 << 18;

/**
 * A clip's samples as the prepare step stored them (`work/samples.f32`: little-endian float32, nothing else), read
 * by range: a segment step reads only the stretch its feature rows need (an S3 ranged GET), never the whole clip.
 */
export function storedClipAudio(storage: ObjectStorage, key: string, sampleCount: number): ClipAudio {
  return rangeReadClipAudio(sampleCount, async (bytes, start, end) => {
    let filled = 0;
    for await (const chunk of await storage.getStream(key, { start: start * 4, end: end * 4 - 1 })) {
      const part = chunk as Uint8Array;
      if (filled + part.length > bytes.length) throw shortOrLong(key, start, end);
      bytes.set(part, filled);
      filled += part.length;
    }
    if (filled !== bytes.length) throw shortOrLong(key, start, end);
  }, async () => {});
}

function shortOrLong(key: string, start: number, end: number): JobStepError {
  return new JobStepError('FARM_BAD_WORK_FILE', `${key}: a read of samples [${start}, ${end}) did not give ${(end - start) * 4} bytes.`);
}

/** The clip's samples as one stream of little-endian float32 bytes, read a stretch at a time, for storing them. */
export function clipAudioStream(audio: ClipAudio): Readable {
  async function* stretches(): AsyncGenerator<Uint8Array> {
    for (let start = 0; start < audio.sampleCount; start += STORE_STRETCH) {
      const samples = await audio.read(start, Math.min(audio.sampleCount, start + STORE_STRETCH));
      yield new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    }
  }
  return Readable.from(stretches(), { objectMode: true });
}
