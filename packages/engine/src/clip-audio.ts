import { open, rm } from 'node:fs/promises';
import type { SampleReader } from '@portrait-farm/media';
import { EngineError } from './errors.ts';

/**
 * A clip's 16 kHz mono float32 samples, kept out of memory (a scratch file, an object in storage) and read by
 * stretches: a segment reads only the samples its feature rows need, so no process holds a long clip's audio.
 */
export interface ClipAudio extends SampleReader {
  /** Frees what holds the samples (removes a scratch file); no-op where someone else owns them. */
  release(): Promise<void>;
}

/** Checks a read of samples [start, end) against a clip of `sampleCount` samples. */
export function checkSampleRange(start: number, end: number, sampleCount: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > sampleCount) {
    throw new EngineError('ENGINE_BAD_OPTION', `sample range must be integers with 0 <= start <= end <= ${sampleCount}. Passed: [${start}, ${end})`);
  }
}

/**
 * A clip of `sampleCount` samples whose reads fill the bytes of samples [start, end) with `readBytes`: the range is
 * checked first, and an empty one is not read.
 */
export function rangeReadClipAudio(
  sampleCount: number,
  readBytes: (bytes: Uint8Array, start: number, end: number) => Promise<void>,
  release: () => Promise<void>,
): ClipAudio {
  return {
    sampleCount,
    async read(start, end) {
      checkSampleRange(start, end, sampleCount);
      const samples = new Float32Array(end - start);
      if (samples.length === 0) return samples;
      await readBytes(new Uint8Array(samples.buffer), start, end);
      return samples;
    },
    release,
  };
}

/** The samples in a file of little-endian float32 (decodeAudioToFile's), read by range; `remove` deletes it. */
export function fileClipAudio(path: string, sampleCount: number, remove: () => Promise<void>): ClipAudio {
  return rangeReadClipAudio(sampleCount, async (bytes, start, end) => {
    const handle = await open(path, 'r');
    try {
      const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, start * 4);
      if (bytesRead !== bytes.byteLength) throw new EngineError('ENGINE_INPUT_MISSING', `${path} holds fewer than ${end} samples (read ${bytesRead} bytes at ${start * 4})`);
    } finally {
      await handle.close();
    }
  }, remove);
}

/** Samples already in memory (tests, tools), as a ClipAudio. */
export function memoryClipAudio(samples: Float32Array): ClipAudio {
  return {
    sampleCount: samples.length,
    async read(start, end) {
      checkSampleRange(start, end, samples.length);
      return samples.slice(start, end);
    },
    async release() {},
  };
}

/** A file removed with the folder it lies in. */
export function removeFolder(dir: string): () => Promise<void> {
  return () => rm(dir, { recursive: true, force: true });
}
