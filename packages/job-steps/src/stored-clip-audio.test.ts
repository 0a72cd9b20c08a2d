import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryClipAudio } from '@portrait-farm/engine';
import { createStorage, type ObjectStorage } from '@portrait-farm/storage';
import { startS3rver, type S3rverProcess } from '@portrait-farm/test-support/s3rver';
import { clipAudioStream, storedClipAudio } from './stored-clip-audio.ts';
import { encodePreparedClip, preparedClipStream } from './work-codec.ts';
import { readPreparedClip } from './work-stream-reader.ts';

const dir = mkdtempSync(join(tmpdir(), 'stored-clip-audio-'));
let s3: S3rverProcess;
beforeAll(async () => {
  s3 = await startS3rver(['clips']);
});
afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const storages: Array<[string, () => ObjectStorage]> = [
  ['filesystem', () => createStorage(dir)],
  ['s3 (s3rver, ranged GETs)', () => createStorage(`s3://S3RVER:S3RVER@clips/run?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1`, { env: {} })],
];

// More than one stretch of clipAudioStream (1 MiB), and not a whole number of them.
const samples = Float32Array.from({ length: (1 << 18) * 2 + 12345 }, (_, i) => Math.sin(i / 7) * 0.5 + i * 1e-9);

describe('stored clip audio', () => {
  it.each(storages)('stores the samples as their float32 bytes and reads any stretch back by range, equal to the same slice (%s)', async (_name, open) => {
    const storage = open();
    await storage.put('work/samples.f32', clipAudioStream(memoryClipAudio(samples)));
    const stored = await storage.get('work/samples.f32');
    expect(stored.equals(Buffer.from(samples.buffer))).toBe(true);
    const audio = storedClipAudio(storage, 'work/samples.f32', samples.length);
    for (const [start, end] of [[0, 1], [0, 40000], [262143, 262145], [samples.length - 5, samples.length], [100, 100]] as const) {
      expect(await audio.read(start, end)).toEqual(samples.slice(start, end));
    }
    await expect(audio.read(10, samples.length + 1)).rejects.toThrow(`sample range must be integers with 0 <= start <= end <= ${samples.length}. Passed: [10, ${samples.length + 1})`);
    // Past the stored samples: no bytes (filesystem: FARM_BAD_WORK_FILE) or a refused range (S3: 416).
    await expect(storedClipAudio(storage, 'work/samples.f32', samples.length + 10).read(samples.length + 2, samples.length + 10)).rejects.toThrow();
    await storage.close();
  });

  it('round-trips a prepared clip and its samples as the prepare and segment steps store and load them', async () => {
    const storage = createStorage(dir);
    const clip = {
      fps: 25, audioSeconds: samples.length / 16000, motionFrames: Math.ceil(samples.length / 640), outputFrames: 10, audio: memoryClipAudio(samples), melPeak: -3.5,
      source: { image: { width: 3, height: 1, data: new Uint8Array(9) }, landmarks: new Float32Array([1.5, -2]) },
      neutral: new Float32Array([0.25]), motion: { seed: 1, steps: null, solver: null, guidance: null, controls: {} }, segments: [],
    };
    await storage.put('work/samples.f32', clipAudioStream(clip.audio));
    await storage.put('work/clip.bin', preparedClipStream(clip as never));
    expect((await storage.get('work/clip.bin')).equals(encodePreparedClip(clip as never))).toBe(true);
    const loaded = await readPreparedClip(await storage.getStream('work/clip.bin'), (n) => storedClipAudio(storage, 'work/samples.f32', n));
    expect(loaded.audio.sampleCount).toBe(samples.length);
    expect(loaded.melPeak).toBe(-3.5);
    expect(await loaded.audio.read(5000, 9000)).toEqual(samples.slice(5000, 9000));
  });
});
