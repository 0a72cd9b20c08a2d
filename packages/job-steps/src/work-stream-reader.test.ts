import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JobStepError } from './errors.ts';
import { memoryClipAudio, type PreparedClip } from '@portrait-farm/engine';
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

const { samples, odd: _odd, ...rest } = value;
const prepared = { ...rest, audio: memoryClipAudio(samples) } as unknown as PreparedClip;

describe('readWork', () => {
  it.each([1, 7, 64, 1 << 20])('equals decodeWork of the same bytes, read in chunks of %i bytes', async (size) => {
    const bytes = encodeWork('prepared-clip', value);
    const streamed = await readWork('prepared-clip', chunked(bytes, size));
    expect(streamed).toEqual(decodeWork('prepared-clip', bytes));
    expect(Buffer.from((streamed as typeof value).samples.buffer)).toEqual(Buffer.from(value.samples.buffer));
  });

  it('reads a prepared clip as decodePreparedClip checks it, its audio opened where the caller says', async () => {
    const opened: number[] = [];
    const open = (sampleCount: number) => {
      opened.push(sampleCount);
      return memoryClipAudio(new Float32Array(sampleCount));
    };
    const clip = await readPreparedClip(chunked(encodePreparedClip(prepared), 4096), open);
    expect(opened).toEqual([1001]);
    expect(clip.audio.sampleCount).toBe(1001);
    expect(clip.segments).toEqual(prepared.segments);
    expect(clip.neutral).toEqual(prepared.neutral);
    await expect(readPreparedClip(chunked(encodeRelay({ tail: new Float32Array(2), motion: new Float32Array(2) }), 16), open)).rejects.toThrow(/must hold a prepared-clip/);
  });

  it('stores no samples in the clip file, and preparedClipStream writes the bytes of encodePreparedClip without joining them', async () => {
    const bytes = encodePreparedClip(prepared);
    expect(bytes.length).toBeLessThan(value.samples.byteLength);
    const written: Buffer[] = [];
    for await (const chunk of preparedClipStream(prepared)) written.push(chunk as Buffer);
    expect(written.length).toBeGreaterThan(1);
    expect(Buffer.concat(written).equals(bytes)).toBe(true);
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
