import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from './decode-audio.ts';
import { decodeAudioToFile } from './decode-audio-file.ts';
import { ffmpegText, fixture, makeTempDir } from './testing/test-support.ts';

const temp = makeTempDir();
afterAll(() => temp.cleanup());

const bytesOf = (samples: Float32Array): Buffer => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

describe('decodeAudioToFile', () => {
  it('writes the samples decodeAudio returns, byte for byte, and hands them over in order as they come', async () => {
    for (const name of ['demo-speech-20s.ogg', 'speech-3s-stereo-44k.m4a']) {
      const out = join(temp.dir, `${name}.f32`);
      const streamed: Buffer[] = [];
      const decoded = await decodeAudioToFile(fixture(name), out, { onSamples: (next) => void streamed.push(Buffer.from(bytesOf(next))) });
      const reference = await decodeAudio(fixture(name));
      expect(decoded.sampleCount).toBe(reference.samples.length);
      expect(decoded.durationSeconds).toBe(reference.durationSeconds);
      expect(decoded.source).toEqual(reference.source);
      expect(readFileSync(out).equals(bytesOf(reference.samples))).toBe(true);
      expect(Buffer.concat(streamed).equals(bytesOf(reference.samples))).toBe(true);
    }
  });

  it('refuses a file without audio and audio shorter than minSeconds', async () => {
    await expect(decodeAudioToFile(fixture('astronaut.png'), join(temp.dir, 'png.f32'))).rejects.toMatchObject({ code: 'MEDIA_NO_AUDIO' });
    const short = join(temp.dir, 'short.wav');
    await ffmpegText(['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '0.3', short]);
    await expect(decodeAudioToFile(short, join(temp.dir, 'short.f32'))).rejects.toThrow('audio must be at least 0.5 s long. Passed: 0.300 s');
    expect((await decodeAudioToFile(short, join(temp.dir, 'short.f32'), { minSeconds: 0.1 })).sampleCount).toBe(4800);
  });
});
