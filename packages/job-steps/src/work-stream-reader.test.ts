import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createStorage } from '@portrait-farm/storage';
import { describe, expect, it } from 'vitest';
import { JobStepError } from './errors.ts';
import { decodeWork, encodePreparedClip, encodeRelay, encodeWork, preparedClipStream } from './work-codec.ts';
import { readPreparedClip, readWork } from './work-stream-reader.ts';

/** `bytes` cut into chunks of `size` bytes, as a stream delivers them. */
function chunked(bytes: Uint8Array, size: number): Readable {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) parts.push(bytes.subarray(at, at + size));
  return Readable.from(parts);
}

const value = {
  fps: 25,
  audioSeconds: 1.25,
  motionFrames: 2,
  outputFrames: 32,
  samples: Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i / 7) * 0.5),
  melPeak: -3.5,
  source: { image: { width: 3, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) }, landmarks: new Float32Array([1.5, -2]) },
  neutral: new Float32Array([0.25]),
  segments: [{ index: 0, frameStart: 0, frameEnd: 32 }],
  odd: [Infinity, new Float64Array([1 / 3]), new Int16Array([-7, 7])],
};

describe('readWork', () => {
  it.each([1, 7, 64, 1 << 20])('equals decodeWork of the same bytes, read in chunks of %i bytes', async (size) => {
    const bytes = encodeWork('prepared-clip', value);
    const streamed = await readWork('prepared-clip', chunked(bytes, size));
    expect(streamed).toEqual(decodeWork('prepared-clip', bytes));
    expect(Buffer.from((streamed as typeof value).samples.buffer)).toEqual(Buffer.from(value.samples.buffer));
  });

  it('reads a prepared clip as decodePreparedClip checks it', async () => {
    const clip = await readPreparedClip(chunked(encodePreparedClip(value as never), 4096));
    expect(clip.samples).toEqual(value.samples);
    expect(clip.segments).toEqual(value.segments);
    await expect(readPreparedClip(chunked(encodeRelay({ tail: new Float32Array(2), motion: new Float32Array(2) }), 16))).rejects.toThrow(/must hold a prepared-clip/);
  });

  it('reads back what preparedClipStream writes, the bytes of encodePreparedClip without joining them', async () => {
    const written: Buffer[] = [];
    for await (const chunk of preparedClipStream(value as never)) written.push(chunk as Buffer);
    expect(written.length).toBeGreaterThan(1);
    expect(Buffer.concat(written).equals(encodePreparedClip(value as never))).toBe(true);
    const clip = await readPreparedClip(preparedClipStream(value as never));
    expect(clip).toEqual(decodeWork('prepared-clip', encodePreparedClip(value as never)));
  });

  it('round-trips a prepared clip through filesystem storage as the prepare and segment steps store and load it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'work-stream-'));
    try {
      const storage = createStorage(dir);
      await storage.put('work/clip.bin', preparedClipStream(value as never));
      expect((await storage.get('work/clip.bin')).equals(encodePreparedClip(value as never))).toBe(true);
      expect(await readPreparedClip(await storage.getStream('work/clip.bin'))).toEqual(decodeWork('prepared-clip', encodePreparedClip(value as never)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses truncated and foreign files with FARM_BAD_WORK_FILE, and stops the stream', async () => {
    const bytes = encodeWork('prepared-clip', value);
    await expect(readWork('prepared-clip', chunked(bytes.subarray(0, bytes.length - 40), 100))).rejects.toThrow(/runs past the work file's end/);
    await expect(readWork('prepared-clip', chunked(bytes.subarray(0, 20), 100))).rejects.toThrow(/header of \d+ bytes runs past its end/);
    await expect(readWork('prepared-clip', chunked(Buffer.from('nope'), 2))).rejects.toThrow(JobStepError);
    const stream = chunked(Buffer.concat([Buffer.from('NOPE'), bytes]), 8);
    await expect(readWork('prepared-clip', stream)).rejects.toThrow(/must start with "PFW1"/);
    expect(stream.destroyed).toBe(true);
  });
});
